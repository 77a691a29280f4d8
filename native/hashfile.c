/* See hashfile.h. */
#define _GNU_SOURCE /* O_NOATIME, preadv2 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "quietopen.h"
#include "hashfile.h"

static int same_content_state(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size &&
    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Reads and digests the open file, checked by open_checked (its fstat in `before`);
 * returns 0, 1 (with prefix) or a negative code.
 */
int hash_fd(const job *j, int fd, const struct stat *before, unsigned bits, double size, double prefix, int cold) {
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
  *fd = open_beneath_links(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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

/*
 * The probe is a system call per file (on /usr 0.1 s of system time), so a
 * worker whose files come from the cache probes only the first of a batch and
 * every PROBE_EVERY-th; once one is cold it probes every file until
 * PROBE_EVERY in a row are warm.
 */
#define PROBE_EVERY 16
static __thread unsigned cold_streak, since_probe;

static int should_probe(int first_of_batch) {
  if (first_of_batch || cold_streak > 0 || ++since_probe >= PROBE_EVERY) {
    since_probe = 0;
    return 1;
  }
  return 0;
}

void open_ahead(ahead_window *w, size_t f, size_t n, const char **paths, const double *nums) {
  while (w->next < n && (w->next == f || (w->next <= f + w->limit && w->bytes < AHEAD_BYTES))) {
    ahead_slot *s = &w->slot[w->next % AHEAD_FILES];
    const double *t = nums + w->next * STRIDE;
    s->code = open_checked(paths[w->next], t, &s->fd, &s->st);
    /* Out of descriptors ahead of its turn: not the file's fault; it is opened again in its turn. */
    if (w->next != f && (s->code == -EMFILE || s->code == -ENFILE)) return;
    s->advised = 0;
    s->cold = s->code == 0 && s->st.st_size > 0 && should_probe(w->next == 0) && is_cold(s->fd);
    if (s->cold) cold_streak = PROBE_EVERY;
    else if (cold_streak > 0) cold_streak--;
    if (s->cold) {
      s->advised = s->st.st_size < AHEAD_IN_FILE ? s->st.st_size : AHEAD_IN_FILE;
      posix_fadvise(s->fd, 0, s->advised, POSIX_FADV_WILLNEED);
      w->bytes += (double)s->advised;
    }
    w->next++;
  }
}
