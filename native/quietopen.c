/*
 * The addon's one way to open a file of the scanned tree (as src/quiet-open.ts
 * is the JS side's): with O_NOATIME, so reading it leaves its atime as it was.
 */
#define _GNU_SOURCE /* O_NOATIME */
#include <errno.h>
#include <fcntl.h>
#include "quietopen.h"

int open_noatime(const char *path, int flags) {
  int fd = open(path, flags | O_NOATIME);
  /* O_NOATIME is refused on files the caller does not own (unless root). */
  if (fd < 0 && errno == EPERM) fd = open(path, flags);
  return fd;
}
