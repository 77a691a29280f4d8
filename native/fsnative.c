/*
 * lstat and extended attributes, never following symlinks. Node has no xattr API,
 * and spawning getfattr per batch costs more than this whole file.
 *
 * lxattrs(path: Buffer) -> Array<[name: string, value: Buffer]> on success,
 * or a positive errno number when the path itself cannot be listed.
 * Filesystems without xattr support (ENOTSUP) give an empty array.
 *
 * lstatInto(path: Buffer, out: Float64Array) -> 0 or a positive errno.
 * Fills out[] with lstat(2) fields (see LSTAT_FIELDS in src/walk/stat.ts) and
 * the size of the xattr name list, without allocating a JS object: on /usr
 * this replaces 139k BigIntStats (and their Dates) per walk.
 *
 * readDirectory(path: Buffer, dev: number, ino: number, skip: number)
 *   -> [paths: string[] (latin1), stats: Float64Array(paths.length * 15),
 *       xattrs: (Array<[name, value]> | errno | undefined)[] (a child with
 *       xattrs: read through the listed directory, as lxattrs gives them)]
 *   where each path is the child's path with the first `skip` bytes of
 *   `path` (the root) left out: "/usr/bin/ls", one flat string, not a JS
 *   concatenation of the directory and the name,
 *   or a positive errno, or -1 when the directory at path is not the one
 *   (dev, ino) the walk lstat-ed: it was swapped, perhaps for a symlink.
 * One call per directory: opened with O_NOFOLLOW|O_NOATIME (so listing it
 * neither follows a swapped-in symlink nor touches its atime), each child
 * fstatat-ed relative to that descriptor. stats[i*15 .. i*15+13] are the
 * lstatInto fields, stats[i*15+14] the child's fstatat errno (0 when fine).
 */
#define _GNU_SOURCE /* O_NOATIME */
#include <dirent.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <node_api.h>
#include "quietopen.h"
#include "hashbatch.h"

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static napi_value errno_value(napi_env env, int err) {
  napi_value out;
  napi_create_int32(env, err, &out);
  return out;
}

static char *path_from_buffer(napi_env env, napi_value buf) {
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, buf, &data, &len) != napi_ok) return NULL;
  char *path = malloc(len + 1);
  if (!path) return NULL;
  memcpy(path, data, len);
  path[len] = 0;
  return path;
}

/*
 * Every extended attribute of path (not following a final symlink) as
 * [[name, value Buffer], ...], or a positive errno number; ENOTSUP is none.
 * NULL when N-API fails (an exception is then pending).
 */
static napi_value xattrs_of(napi_env env, const char *path) {
  napi_value result;
  char *names = NULL;
  ssize_t size;
  /* The list may grow between the two calls; retry until it fits. */
  for (;;) {
    size = llistxattr(path, NULL, 0);
    if (size < 0) break;
    free(names);
    names = malloc(size > 0 ? size : 1);
    if (!names) { size = -1; errno = ENOMEM; break; }
    ssize_t got = llistxattr(path, names, size);
    if (got >= 0) { size = got; break; }
    if (errno != ERANGE) { size = -1; break; }
  }
  if (size < 0) {
    int err = errno;
    free(names);
    if (err == ENOTSUP) {
      CHECK(napi_create_array_with_length(env, 0, &result));
      return result;
    }
    return errno_value(env, err);
  }
  if (napi_create_array(env, &result) != napi_ok) { free(names); return NULL; }
  uint32_t index = 0;
  for (ssize_t off = 0; off < size;) {
    const char *name = names + off;
    size_t name_len = strlen(name);
    off += name_len + 1;
    ssize_t vlen = lgetxattr(path, name, NULL, 0);
    if (vlen < 0) {
      if (errno == ENODATA) continue; /* removed since the listing */
      int err = errno;
      free(names);
      return errno_value(env, err);
    }
    void *value = malloc(vlen > 0 ? vlen : 1);
    if (!value) { free(names); return errno_value(env, ENOMEM); }
    vlen = lgetxattr(path, name, value, vlen);
    if (vlen < 0) {
      int err = errno;
      free(value);
      if (err == ENODATA) continue;
      free(names);
      return errno_value(env, err);
    }
    napi_value pair, jname, jvalue;
    void *copy;
    if (napi_create_array_with_length(env, 2, &pair) != napi_ok ||
        napi_create_string_latin1(env, name, name_len, &jname) != napi_ok ||
        napi_create_buffer_copy(env, vlen, value, &copy, &jvalue) != napi_ok ||
        napi_set_element(env, pair, 0, jname) != napi_ok ||
        napi_set_element(env, pair, 1, jvalue) != napi_ok ||
        napi_set_element(env, result, index++, pair) != napi_ok) {
      free(value);
      free(names);
      return NULL;
    }
    free(value);
  }
  free(names);
  return result;
}

static napi_value lxattrs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "lxattrs(path: Buffer)");
    return NULL;
  }
  char *path = path_from_buffer(env, argv[0]);
  if (!path) {
    napi_throw_type_error(env, NULL, "lxattrs: path must be a Buffer");
    return NULL;
  }
  napi_value result = xattrs_of(env, path);
  free(path);
  return result;
}

/*
 * Whether /proc/self/fd/N names the open descriptor N (procfs mounted): then a
 * listed child's xattrs are read as /proc/self/fd/DIRFD/NAME, through the very
 * directory that was listed, never by its path looked up again.
 */
static int have_proc_fd = -1;

static int proc_fd_usable(void) {
  if (have_proc_fd < 0) have_proc_fd = access("/proc/self/fd", X_OK) == 0;
  return have_proc_fd;
}

enum {
  F_MODE, F_UID, F_GID, F_SIZE, F_INO, F_NLINK, F_DEV, F_RDEV_MAJOR, F_RDEV_MINOR,
  F_MTIME_SEC, F_MTIME_NSEC, F_CTIME_SEC, F_CTIME_NSEC, F_XATTR_BYTES, F_COUNT
};

static void fill_fields(double *out, const struct stat *st) {
  out[F_MODE] = st->st_mode;
  out[F_UID] = st->st_uid;
  out[F_GID] = st->st_gid;
  out[F_SIZE] = (double)st->st_size;
  out[F_INO] = (double)st->st_ino;
  out[F_NLINK] = (double)st->st_nlink;
  out[F_DEV] = (double)st->st_dev;
  out[F_RDEV_MAJOR] = major(st->st_rdev);
  out[F_RDEV_MINOR] = minor(st->st_rdev);
  out[F_MTIME_SEC] = (double)st->st_mtim.tv_sec;
  out[F_MTIME_NSEC] = (double)st->st_mtim.tv_nsec;
  out[F_CTIME_SEC] = (double)st->st_ctim.tv_sec;
  out[F_CTIME_NSEC] = (double)st->st_ctim.tv_nsec;
}

static double xattr_list_bytes(const char *path) {
  ssize_t names = llistxattr(path, NULL, 0);
  if (names >= 0) return (double)names;
  return errno == ENOTSUP ? 0 : -1;
}

#ifndef SYS_listxattrat
#if defined(__x86_64__) || defined(__aarch64__)
#define SYS_listxattrat 465
#endif
#endif

/*
 * The same for NAME in the open directory DIRFD (listxattrat, Linux 6.13): no
 * lookup of the whole path again for each of a directory's children, and no
 * way for a directory swapped since the listing to redirect it. On an older
 * kernel (ENOSYS, or EPERM from a seccomp filter; remembered) the full path
 * is used, as before.
 */
static int have_listxattrat = 1;

static double xattr_list_bytes_at(int dirfd, const char *name, const char *path) {
#ifdef SYS_listxattrat
  if (have_listxattrat) {
    long names = syscall(SYS_listxattrat, dirfd, name, AT_SYMLINK_NOFOLLOW, NULL, (size_t)0);
    if (names >= 0) return (double)names;
    /* A container's seccomp filter may refuse a syscall it does not know with EPERM. */
    if (errno != ENOSYS && errno != EPERM) return errno == ENOTSUP ? 0 : -1;
    have_listxattrat = 0;
  }
#endif
  return xattr_list_bytes(path);
}

static napi_value lstat_into(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (argc < 2 || napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array || length < F_COUNT) {
    napi_throw_type_error(env, NULL, "lstatInto(path: Buffer, out: Float64Array(14))");
    return NULL;
  }
  char *path = path_from_buffer(env, argv[0]);
  if (!path) {
    napi_throw_type_error(env, NULL, "lstatInto: path must be a Buffer");
    return NULL;
  }
  struct stat st;
  double *out = data;
  if (lstat(path, &st) != 0) {
    int err = errno;
    free(path);
    return errno_value(env, err);
  }
  fill_fields(out, &st);
  /* -1: the list could not be read (the caller asks lxattrs for the errno). */
  out[F_XATTR_BYTES] = xattr_list_bytes(path);
  free(path);
  return errno_value(env, 0);
}

#define DIR_FIELDS (F_COUNT + 1)

static int open_directory(const char *path) {
  return open_noatime(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

struct name_list {
  char **names;
  size_t count, cap;
};

static int push_name(struct name_list *list, const char *name) {
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 64;
    char **grown = realloc(list->names, cap * sizeof(char *));
    if (!grown) return -1;
    list->names = grown;
    list->cap = cap;
  }
  list->names[list->count] = strdup(name);
  return list->names[list->count++] ? 0 : -1;
}

static void free_names(struct name_list *list) {
  for (size_t i = 0; i < list->count; i++) free(list->names[i]);
  free(list->names);
}

static napi_value read_directory(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  double want_dev, want_ino;
  uint32_t skip;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || napi_get_value_double(env, argv[1], &want_dev) != napi_ok ||
      napi_get_value_double(env, argv[2], &want_ino) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &skip) != napi_ok) {
    napi_throw_type_error(env, NULL, "readDirectory(path: Buffer, dev: number, ino: number, skip: number)");
    return NULL;
  }
  char *path = path_from_buffer(env, argv[0]);
  if (!path) {
    napi_throw_type_error(env, NULL, "readDirectory: path must be a Buffer");
    return NULL;
  }
  int fd = open_directory(path);
  if (fd < 0) {
    int err = errno;
    free(path);
    return errno_value(env, err == ELOOP || err == ENOTDIR ? -1 : err);
  }
  struct stat self;
  if (fstat(fd, &self) != 0 || (double)self.st_dev != want_dev || (double)self.st_ino != want_ino) {
    close(fd);
    free(path);
    return errno_value(env, -1);
  }
  DIR *dir = fdopendir(fd);
  if (!dir) {
    int err = errno;
    close(fd);
    free(path);
    return errno_value(env, err);
  }
  struct name_list list = {0};
  struct dirent *d;
  int failed = 0;
  /* readdir reports an error only through errno, and a successful malloc in
   * push_name may leave errno set (glibc's realloc does when it retries with
   * mmap): clear it before every call, or a large directory reads as ENOMEM. */
  for (;;) {
    errno = 0;
    d = readdir(dir);
    if (d == NULL) {
      if (errno != 0) failed = errno;
      break;
    }
    if (d->d_name[0] == '.' && (d->d_name[1] == 0 || (d->d_name[1] == '.' && d->d_name[2] == 0))) continue;
    if (push_name(&list, d->d_name) != 0) { failed = ENOMEM; break; }
  }
  napi_value result = NULL;
  if (failed) {
    closedir(dir);
    free_names(&list);
    free(path);
    return errno_value(env, failed);
  }
  napi_value names, buffer, stats, xattrs;
  void *raw;
  size_t path_len = strlen(path);
  char *child = malloc(path_len + 2 + 256);
  char via_fd[64 + 256];
  int use_proc = proc_fd_usable();
  if (child && napi_create_array_with_length(env, list.count, &names) == napi_ok &&
      napi_create_array_with_length(env, list.count, &xattrs) == napi_ok &&
      napi_create_arraybuffer(env, list.count * DIR_FIELDS * sizeof(double), &raw, &buffer) == napi_ok &&
      napi_create_typedarray(env, napi_float64_array, list.count * DIR_FIELDS, buffer, 0, &stats) == napi_ok) {
    memcpy(child, path, path_len);
    /* "/" as the directory: its children are "/name", not "//name". */
    size_t dir_len = (path_len > 0 && path[path_len - 1] == '/') ? path_len - 1 : path_len;
    child[dir_len] = '/';
    if (skip > dir_len) skip = dir_len;
    double *out = raw;
    for (size_t i = 0; i < list.count; i++) {
      const char *name = list.names[i];
      double *f = out + i * DIR_FIELDS;
      size_t name_len = strlen(name);
      memcpy(child + dir_len + 1, name, name_len + 1);
      napi_value jpath;
      napi_create_string_latin1(env, child + skip, dir_len + 1 + name_len - skip, &jpath);
      napi_set_element(env, names, (uint32_t)i, jpath);
      struct stat st;
      if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        memset(f, 0, DIR_FIELDS * sizeof(double));
        f[F_COUNT] = errno;
        continue;
      }
      fill_fields(f, &st);
      f[F_XATTR_BYTES] = xattr_list_bytes_at(fd, name, child);
      f[F_COUNT] = 0;
      /* A child with xattrs has them read now, through this directory's descriptor. */
      if (f[F_XATTR_BYTES] != 0 && use_proc) {
        snprintf(via_fd, sizeof via_fd, "/proc/self/fd/%d/%s", fd, name);
        napi_value got = xattrs_of(env, via_fd);
        if (!got || napi_set_element(env, xattrs, (uint32_t)i, got) != napi_ok) break;
      }
    }
    if (napi_create_array_with_length(env, 3, &result) == napi_ok) {
      napi_set_element(env, result, 0, names);
      napi_set_element(env, result, 1, stats);
      napi_set_element(env, result, 2, xattrs);
    }
  }
  free(child);
  closedir(dir);
  free_names(&list);
  free(path);
  return result;
}

/*
 * fstatInto(fd: number, out: Float64Array) -> 0 or a positive errno: the hash
 * worker's check that the opened file is the one the walk lstat-ed, without
 * Node's Stats object and its four Dates (two per file hashed).
 */
static napi_value fstat_into(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  napi_typedarray_type type;
  size_t length;
  void *data;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array || length < F_COUNT) {
    napi_throw_type_error(env, NULL, "fstatInto(fd: number, out: Float64Array(14))");
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return errno_value(env, errno);
  fill_fields(data, &st);
  ((double *)data)[F_XATTR_BYTES] = 0;
  return errno_value(env, 0);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "fstatInto", NAPI_AUTO_LENGTH, fstat_into, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "fstatInto", fn));
  CHECK(napi_create_function(env, "readDirectory", NAPI_AUTO_LENGTH, read_directory, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "readDirectory", fn));
  CHECK(napi_create_function(env, "lstatInto", NAPI_AUTO_LENGTH, lstat_into, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "lstatInto", fn));
  CHECK(napi_create_function(env, "lxattrs", NAPI_AUTO_LENGTH, lxattrs, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "lxattrs", fn));
  CHECK(register_hash_batch(env, exports));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
