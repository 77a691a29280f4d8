/*
 * hashBatch: a hash worker's whole batch in one call. Per file: open without
 * following a symlink or touching the atime, check it is the regular file the
 * walk saw (same inode, same size), read it once, feed every chunk to each
 * digest asked for, check it did not change while read, close.
 *
 * The digests are Node's own OpenSSL (the EVP_* symbols the node binary
 * exports; the addon links no libcrypto of its own) and xxh64.c. On /usr this
 * replaced, per file, a native whole-file read, a node:crypto call per digest, the
 * wasm xxh64 call and two hex strings (see bench/README.md).
 *
 * hashBatch(paths: string, numbers: Float64Array, algos: string[], buf: Uint8Array,
 *           digests: Uint8Array[], prefixes: Uint8Array[], codes: Float64Array)
 *   -> Array: [at, content (latin1 string), at, content, ...] for kept contents
 * paths: the files' paths (latin1, one char a byte) joined by NUL.
 * numbers: per file ino, dev, size, algorithm bits, prefix (-1 none), keep (-1 none)
 *   (src/hash/batch.ts). Bit i of the bits asks for algos[i].
 * digests[i], prefixes[i]: per file, digestSize(algos[i]) bytes, at file * size.
 * codes: per file 0 (hashed), 1 (hashed, with prefix digests), or a negative
 *   errno or READ_* code (quietopen.h).
 * Content is kept, as before, only when the file fits `buf`,
 * has no prefix and has at most `keep` bytes.
 *
 * digestSize(name) -> the digest's width in bytes, 0 when unknown.
 * digestBytes(name, data: Uint8Array) -> Buffer: one digest of data (checks, tests).
 */
#define _GNU_SOURCE /* O_NOATIME */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <node_api.h>
#include <openssl/evp.h>
#include "quietopen.h"
#include "xxh64.h"
#include "hashbatch.h"

#define MAX_ALGOS 8
/* Read-ahead bounds per worker (see open_ahead). */
#define AHEAD_FILES 64
#define AHEAD_BYTES (32.0 * 1024 * 1024)
#define AHEAD_IN_FILE ((off_t)4 << 20)
#define STRIDE 6
#define XXH64_NAME "xxh64"

typedef struct {
  const EVP_MD *md; /* NULL for xxh64 */
  EVP_MD *fetched;  /* what to free, when md was fetched */
  EVP_MD_CTX *ctx, *pctx;
  xxh64_state xs, pxs;
  size_t width;
} digest;

/* Resolves `name` as node:crypto would: the provider's algorithm, else the legacy name table. */
static int digest_open(digest *d, const char *name) {
  memset(d, 0, sizeof *d);
  if (strcmp(name, XXH64_NAME) == 0) {
    d->width = 8;
    return 0;
  }
  d->fetched = EVP_MD_fetch(NULL, name, NULL);
  d->md = d->fetched ? d->fetched : EVP_get_digestbyname(name);
  if (!d->md) return -1;
  int size = EVP_MD_get_size(d->md);
  d->ctx = EVP_MD_CTX_new();
  d->pctx = EVP_MD_CTX_new();
  if (size <= 0 || size > EVP_MAX_MD_SIZE || !d->ctx || !d->pctx) return -1;
  d->width = (size_t)size;
  return 0;
}

static void digest_close(digest *d) {
  if (d->ctx) EVP_MD_CTX_free(d->ctx);
  if (d->pctx) EVP_MD_CTX_free(d->pctx);
  if (d->fetched) EVP_MD_free(d->fetched);
}

static int digest_init(digest *d, int prefix) {
  if (!d->md) {
    xxh64_init(prefix ? &d->pxs : &d->xs, 0);
    return 0;
  }
  return EVP_DigestInit_ex(prefix ? d->pctx : d->ctx, d->md, NULL) == 1 ? 0 : -1;
}

static int digest_update(digest *d, int prefix, const unsigned char *data, size_t len) {
  if (!d->md) {
    xxh64_update(prefix ? &d->pxs : &d->xs, data, len);
    return 0;
  }
  return EVP_DigestUpdate(prefix ? d->pctx : d->ctx, data, len) == 1 ? 0 : -1;
}

static int digest_final(digest *d, int prefix, unsigned char *out) {
  if (!d->md) {
    xxh64_bytes(xxh64_final(prefix ? &d->pxs : &d->xs), out);
    return 0;
  }
  unsigned int len = 0;
  return EVP_DigestFinal_ex(prefix ? d->pctx : d->ctx, out, &len) == 1 && len == d->width ? 0 : -1;
}

static int same_content_state(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size &&
    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

typedef struct {
  digest *ds;
  int nds;
  unsigned char *buf;
  size_t room;
  unsigned char **outs, **pouts; /* per algo, this file's slot */
} job;

/*
 * Reads and digests the open file, checked by open_checked (its fstat in `before`);
 * returns 0, 1 (with prefix) or a negative code.
 */
static int hash_fd(const job *j, int fd, const struct stat *before, unsigned bits, double size, double prefix, int cold) {
  struct stat after;
  int with_prefix = prefix >= 0;
  for (int i = 0; i < j->nds; i++) {
    if (!(bits & (1u << i))) continue;
    if (digest_init(&j->ds[i], 0) || (with_prefix && digest_init(&j->ds[i], 1))) return -EIO;
  }
  /* Ask for one byte more than the size: a file that grew reads too much instead of looking whole. */
  /* A file that fits is read whole into buf (its content may be kept), a larger one chunk by chunk. */
  int whole = size + 1 <= (double)j->room;
  double total = 0;
  while (total <= size) {
    double want = size + 1 - total;
    size_t ask = want < (double)j->room ? (size_t)want : j->room;
    unsigned char *into = whole ? j->buf + (size_t)total : j->buf;
    ssize_t got = pread(fd, into, ask, (off_t)total);
    if (got < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (got == 0) break;
    size_t pre = with_prefix && total < prefix ? (size_t)(prefix - total < (double)got ? prefix - total : (double)got) : 0;
    for (int i = 0; i < j->nds; i++) {
      if (!(bits & (1u << i))) continue;
      if (digest_update(&j->ds[i], 0, into, (size_t)got)) return -EIO;
      if (pre && digest_update(&j->ds[i], 1, into, pre)) return -EIO;
    }
    total += (double)got;
    /* Keep the disk AHEAD_IN_FILE bytes ahead of a large file's reads (cold cache). */
    if (!whole && cold && total + AHEAD_IN_FILE < size) posix_fadvise(fd, (off_t)(total + AHEAD_IN_FILE), (off_t)got, POSIX_FADV_WILLNEED);
    if (total == size && (double)got < (double)ask) break; /* a short read at the end: no read(2) just to see 0 */
  }
  if (total != size) return READ_CHANGED;
  if (fstat(fd, &after) != 0) return -errno;
  if (!same_content_state(before, &after)) return READ_CHANGED;
  int has_prefix = with_prefix && size >= prefix;
  for (int i = 0; i < j->nds; i++) {
    if (!(bits & (1u << i))) continue;
    if (digest_final(&j->ds[i], 0, j->outs[i])) return -EIO;
    if (with_prefix && digest_final(&j->ds[i], 1, j->pouts[i])) return -EIO;
  }
  return has_prefix ? 1 : 0;
}

/*
 * Opens a file of the batch and checks it is the regular file the walk saw:
 * 0 with *fd set, or a negative code (nothing left open). Only then may it be
 * read, or its reading be asked for ahead (so nothing outside the root, where a
 * swapped directory could lead, is ever read).
 */
static int open_checked(const char *path, const double *t, int *fd, struct stat *st) {
  *fd = open_noatime(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (*fd < 0) return -errno;
  int code = 0;
  if (fstat(*fd, st) != 0) code = -errno;
  else if (!S_ISREG(st->st_mode)) code = READ_NOTREG;
  else if ((double)st->st_ino != t[0] || (double)st->st_dev != t[1]) code = READ_SWAPPED;
  else if ((double)st->st_size != t[2]) code = READ_CHANGED;
  if (code) {
    close(*fd);
    *fd = -1;
  }
  return code;
}

/*
 * Files opened ahead of the one being hashed, their first bytes asked of the
 * disk (POSIX_FADV_WILLNEED): from a cold cache the disk then has many reads
 * in flight, not one per worker. Bounded: AHEAD_FILES descriptors and
 * AHEAD_BYTES of asked-for reads per worker.
 */
typedef struct {
  int fd, code;
  struct stat st;
  off_t advised;
  int cold; /* its first page was not in the page cache */
} ahead_slot;

/*
 * Whether the file's first byte must come from the disk: a read that may not
 * wait (RWF_NOWAIT) says so with EAGAIN. From a warm cache the answer is no
 * and nothing is asked ahead, which would only cost time.
 */
static int is_cold(int fd) {
  unsigned char byte;
  struct iovec iov = { &byte, 1 };
  if (preadv2(fd, &iov, 1, 0, RWF_NOWAIT) >= 0) return 0;
  return errno == EAGAIN || errno == EOPNOTSUPP || errno == EINVAL;
}

typedef struct {
  ahead_slot slot[AHEAD_FILES];
  size_t next; /* the next file to open */
  double bytes; /* asked for and not yet hashed */
} ahead_window;

static void open_ahead(ahead_window *w, size_t f, size_t n, const char **paths, const double *nums) {
  while (w->next < n && (w->next == f || (w->next < f + AHEAD_FILES && w->bytes < AHEAD_BYTES))) {
    ahead_slot *s = &w->slot[w->next % AHEAD_FILES];
    const double *t = nums + w->next * STRIDE;
    s->code = open_checked(paths[w->next], t, &s->fd, &s->st);
    s->advised = 0;
    s->cold = s->code == 0 && s->st.st_size > 0 && is_cold(s->fd);
    if (s->cold) {
      s->advised = s->st.st_size < AHEAD_IN_FILE ? s->st.st_size : AHEAD_IN_FILE;
      posix_fadvise(s->fd, 0, s->advised, POSIX_FADV_WILLNEED);
      w->bytes += (double)s->advised;
    }
    w->next++;
  }
}

#define CHECK(call) do { if ((call) != napi_ok) goto bad_args; } while (0)

/* The bytes of a Uint8Array (or Buffer) argument; -1 when it is not one. */
static int bytes_of(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  napi_typedarray_type type;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return -1;
  *data = p;
  return 0;
}

static int algo_name(napi_env env, napi_value v, char *name, size_t room) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, name, room, &len) != napi_ok || len + 1 >= room) return -1;
  return 0;
}

static napi_value hash_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], result = NULL;
  digest ds[MAX_ALGOS];
  unsigned char *douts[MAX_ALGOS], *pouts[MAX_ALGOS];
  size_t dlens[MAX_ALGOS], plens[MAX_ALGOS];
  uint32_t nds = 0, opened = 0;
  char *paths = NULL;
  const char **starts = NULL;
  ahead_window *window = NULL;
  size_t done_upto = 0;
  const char *fail = "hashBatch(paths, numbers, algos, buf, digests, prefixes, codes): bad arguments";
  napi_typedarray_type type;
  size_t nnums, ncodes, paths_len, room;
  double *nums, *codes;
  unsigned char *buf;
  void *p;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) goto bad_args;
  CHECK(napi_get_typedarray_info(env, argv[1], &type, &nnums, &p, NULL, NULL));
  if (type != napi_float64_array || nnums % STRIDE) goto bad_args;
  nums = p;
  size_t n = nnums / STRIDE;
  CHECK(napi_get_typedarray_info(env, argv[6], &type, &ncodes, &p, NULL, NULL));
  if (type != napi_float64_array || ncodes < n) goto bad_args;
  codes = p;
  if (bytes_of(env, argv[3], &buf, &room) || room < 2) goto bad_args;
  CHECK(napi_get_array_length(env, argv[2], &nds));
  if (nds > MAX_ALGOS) goto bad_args;
  for (; opened < nds; opened++) {
    napi_value v;
    char name[64];
    CHECK(napi_get_element(env, argv[2], opened, &v));
    if (algo_name(env, v, name, sizeof name)) goto bad_args;
    if (digest_open(&ds[opened], name)) {
      digest_close(&ds[opened]);
      fail = "hashBatch: a digest OpenSSL does not know";
      goto bad_args;
    }
    CHECK(napi_get_element(env, argv[4], opened, &v));
    if (bytes_of(env, v, &douts[opened], &dlens[opened]) || dlens[opened] < n * ds[opened].width) { opened++; goto bad_args; }
    CHECK(napi_get_element(env, argv[5], opened, &v));
    if (bytes_of(env, v, &pouts[opened], &plens[opened]) || plens[opened] < n * ds[opened].width) { opened++; goto bad_args; }
  }
  CHECK(napi_get_value_string_latin1(env, argv[0], NULL, 0, &paths_len));
  paths = malloc(paths_len + 1);
  if (!paths) { fail = "hashBatch: out of memory"; goto bad_args; }
  CHECK(napi_get_value_string_latin1(env, argv[0], paths, paths_len + 1, &paths_len));
  CHECK(napi_create_array(env, &result));
  job j = { ds, (int)nds, buf, room, NULL, NULL };
  unsigned char *fouts[MAX_ALGOS], *fpouts[MAX_ALGOS];
  j.outs = fouts;
  j.pouts = fpouts;
  starts = malloc((n ? n : 1) * sizeof *starts);
  window = malloc(sizeof *window);
  if (!starts || !window) { fail = "hashBatch: out of memory"; goto bad_args; }
  const char *path = paths;
  for (size_t f = 0; f < n; f++, path += strlen(path) + 1) {
    if (path > paths + paths_len) goto bad_args; /* fewer paths than numbers */
    starts[f] = path;
  }
  window->next = 0;
  window->bytes = 0;
  uint32_t kept = 0;
  for (size_t f = 0; f < n; f++) {
    const double *t = nums + f * STRIDE;
    open_ahead(window, f, n, starts, nums);
    ahead_slot *s = &window->slot[f % AHEAD_FILES];
    for (uint32_t i = 0; i < nds; i++) {
      fouts[i] = douts[i] + f * ds[i].width;
      fpouts[i] = pouts[i] + f * ds[i].width;
    }
    int code = s->code;
    if (code == 0) {
      code = hash_fd(&j, s->fd, &s->st, (unsigned)t[3], t[2], t[4], s->cold);
      close(s->fd);
    }
    window->bytes -= (double)s->advised;
    done_upto = f + 1;
    codes[f] = code;
    /* Content is kept when the whole file is in buf, has no prefix, and at most `keep` bytes. */
    if (code == 0 && t[5] >= 0 && t[4] < 0 && t[2] + 1 <= (double)room && t[2] <= t[5]) {
      napi_value at, content;
      CHECK(napi_create_uint32(env, (uint32_t)f, &at));
      CHECK(napi_create_string_latin1(env, (const char *)buf, (size_t)t[2], &content));
      CHECK(napi_set_element(env, result, kept++, at));
      CHECK(napi_set_element(env, result, kept++, content));
    }
  }
  goto done;
bad_args: {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, NULL, fail);
    result = NULL;
  }
done:
  /* After an error part way, close what was opened ahead. */
  if (window) for (size_t f = done_upto; f < window->next; f++) if (window->slot[f % AHEAD_FILES].fd >= 0) close(window->slot[f % AHEAD_FILES].fd);
  for (uint32_t i = 0; i < opened; i++) digest_close(&ds[i]);
  free(paths);
  free(starts);
  free(window);
  return result;
}

static napi_value digest_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[64];
  digest d;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || algo_name(env, argv[0], name, sizeof name)) {
    napi_throw_type_error(env, NULL, "digestSize(name: string)");
    return NULL;
  }
  int ok = digest_open(&d, name) == 0;
  napi_create_uint32(env, ok ? (uint32_t)d.width : 0, &out);
  digest_close(&d);
  return out;
}

static napi_value digest_bytes(napi_env env, napi_callback_info info) {
  size_t argc = 2, len;
  napi_value argv[2], out = NULL;
  char name[64];
  unsigned char *data, *dst;
  digest d;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || algo_name(env, argv[0], name, sizeof name) ||
      bytes_of(env, argv[1], &data, &len)) {
    napi_throw_type_error(env, NULL, "digestBytes(name: string, data: Uint8Array)");
    return NULL;
  }
  if (digest_open(&d, name) == 0 && napi_create_buffer(env, d.width, (void **)&dst, &out) == napi_ok &&
      (digest_init(&d, 0) || digest_update(&d, 0, data, len) || digest_final(&d, 0, dst))) out = NULL;
  digest_close(&d);
  if (!out) napi_throw_error(env, NULL, "digestBytes: unknown digest or OpenSSL error");
  return out;
}

napi_status register_hash_batch(napi_env env, napi_value exports) {
  napi_value fn;
  napi_status s;
  if ((s = napi_create_function(env, "hashBatch", NAPI_AUTO_LENGTH, hash_batch, NULL, &fn)) != napi_ok) return s;
  if ((s = napi_set_named_property(env, exports, "hashBatch", fn)) != napi_ok) return s;
  if ((s = napi_create_function(env, "digestSize", NAPI_AUTO_LENGTH, digest_size, NULL, &fn)) != napi_ok) return s;
  if ((s = napi_set_named_property(env, exports, "digestSize", fn)) != napi_ok) return s;
  if ((s = napi_create_function(env, "digestBytes", NAPI_AUTO_LENGTH, digest_bytes, NULL, &fn)) != napi_ok) return s;
  return napi_set_named_property(env, exports, "digestBytes", fn);
}
