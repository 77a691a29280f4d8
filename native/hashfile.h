/*
 * One file of a batch: opened and checked (open_checked), possibly ahead of
 * its turn with its first bytes asked of the disk (open_ahead), then read and
 * digested (hash_fd). Codes: 0, 1 (hashed with prefix digests), a negative
 * errno, or READ_* (quietopen.h).
 */
#ifndef DRIFTSCAN_HASHFILE_H
#define DRIFTSCAN_HASHFILE_H
#include <stddef.h>
#include <sys/stat.h>
#include "digests.h"

/* Numbers per file in a batch: ino, dev, size, algorithm bits, prefix (-1 none), keep (-1 none). */
#define STRIDE 6
/* Read-ahead bounds per worker (see open_ahead); the caller may allow fewer files (`limit`). */
#define AHEAD_FILES 64
#define AHEAD_BYTES (32.0 * 1024 * 1024)
#define AHEAD_IN_FILE ((off_t)4 << 20)

typedef struct {
  digest *ds;
  int nds;
  unsigned char *buf;
  size_t room;
  unsigned char **outs, **pouts; /* per algo, this file's slot */
} job;

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

typedef struct {
  ahead_slot slot[AHEAD_FILES];
  size_t next; /* the next file to open */
  size_t limit; /* files open ahead at most: AHEAD_FILES or fewer, for the open-file limit */
  double bytes; /* asked for and not yet hashed */
} ahead_window;

/* Opens file f of the batch, if not yet, and those after it that the bounds allow. */
void open_ahead(ahead_window *w, size_t f, size_t n, const char **paths, const double *nums);
int hash_fd(const job *j, int fd, const struct stat *before, unsigned bits, double size, double prefix, int cold);
#endif
