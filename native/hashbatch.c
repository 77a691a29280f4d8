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
 *           digests: Uint8Array[], prefixes: Uint8Array[], codes: Float64Array, aheadFiles?: number)
 *   -> Array: [at, content (latin1 string), at, content, ...] for kept contents
 * paths: the files' paths (latin1, one char a byte) joined by NUL.
 * aheadFiles: how many files beyond the current one may be open at once for
 *   read-ahead (at most AHEAD_FILES - 1, the default), so workers stay within ulimit -n.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include "digests.h"
#include "hashfile.h"
#include "hashbatch.h"

#define MAX_ALGOS 8

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
  size_t argc = 8;
  napi_value argv[8], result = NULL;
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
  uint32_t limit = AHEAD_FILES - 1;
  if (argc >= 8 && napi_get_value_uint32(env, argv[7], &limit) == napi_ok && limit > AHEAD_FILES - 1) limit = AHEAD_FILES - 1;
  window->limit = limit;
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
