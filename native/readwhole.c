/*
 * readWhole(path: string, into: Uint8Array, ino: number, dev: number, size: number)
 *   -> the file's size (its bytes are now into[0, size)), or a negative code:
 *      -errno when it cannot be opened or read, READ_NOTREG when it is no longer
 *      a regular file, READ_SWAPPED when another inode is at the path, and
 *      READ_CHANGED when its size differs from `size` or it changed while read.
 *
 * The hash worker's path for a file that fits its read buffer (most of a
 * system tree): open, check, read, check again and close in one call. The same
 * steps through fs.*Sync cost six calls into Node with their argument checks
 * and error objects, which on /usr was most of the per-file time.
 *
 * `path` is a latin1 string whose chars are the path's bytes, as the walk
 * records them; `into` must hold at least size + 1 bytes, so that a file
 * that grew since its lstat reads one byte too many instead of looking whole.
 */
#define _GNU_SOURCE /* O_NOATIME */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>
#include "readwhole.h"

int open_noatime(const char *path, int flags) {
  int fd = open(path, flags | O_NOATIME);
  /* O_NOATIME is refused on files the caller does not own (unless root). */
  if (fd < 0 && errno == EPERM) fd = open(path, flags);
  return fd;
}

static int same_content_state(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size &&
    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads the whole file at fd into data (capacity `room`); returns bytes read or -errno. */
static long read_all(int fd, unsigned char *data, size_t room) {
  size_t total = 0;
  while (total < room) {
    ssize_t got = read(fd, data + total, room - total);
    if (got < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (got == 0) break;
    total += (size_t)got;
  }
  return (long)total;
}

static long read_checked(const char *path, unsigned char *data, size_t room, double ino, double dev, double size) {
  int fd = open_noatime(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat before, after;
  long result;
  if (fstat(fd, &before) != 0) result = -errno;
  else if (!S_ISREG(before.st_mode)) result = READ_NOTREG;
  else if ((double)before.st_ino != ino || (double)before.st_dev != dev) result = READ_SWAPPED;
  else if ((double)before.st_size != size) result = READ_CHANGED;
  else {
    result = read_all(fd, data, room);
    if (result >= 0 && (double)result != size) result = READ_CHANGED;
    else if (result >= 0 && fstat(fd, &after) != 0) result = -errno;
    else if (result >= 0 && !same_content_state(&before, &after)) result = READ_CHANGED;
  }
  close(fd);
  return result;
}

napi_value read_whole(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  double ino, dev, size;
  size_t path_len;
  napi_typedarray_type type;
  size_t room;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 ||
      napi_get_value_string_latin1(env, argv[0], NULL, 0, &path_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &room, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_double(env, argv[2], &ino) != napi_ok || napi_get_value_double(env, argv[3], &dev) != napi_ok ||
      napi_get_value_double(env, argv[4], &size) != napi_ok || !(size >= 0) || size + 1 > (double)room) {
    napi_throw_type_error(env, NULL, "readWhole(path: string, into: Uint8Array(size + 1 or more), ino, dev, size)");
    return NULL;
  }
  char *path = malloc(path_len + 1);
  if (!path) {
    napi_throw_error(env, NULL, "readWhole: out of memory");
    return NULL;
  }
  napi_get_value_string_latin1(env, argv[0], path, path_len + 1, &path_len);
  long result = read_checked(path, data, (size_t)size + 1, ino, dev, size);
  free(path);
  napi_value out;
  napi_create_double(env, (double)result, &out);
  return out;
}
