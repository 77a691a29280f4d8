/* open_noatime (quietopen.c) and the codes hashBatch gives besides errnos (CODE in src/hash/batch.ts). */
#ifndef DRIFTSCAN_QUIETOPEN_H
#define DRIFTSCAN_QUIETOPEN_H

#define READ_NOTREG (-100001)
#define READ_SWAPPED (-100002)
#define READ_CHANGED (-100003)

/* open(2) with O_NOATIME, and without it where the kernel refuses it (EPERM: not the owner). */
int open_noatime(const char *path, int flags);

/* open_noatime, refusing a symlink in any component of the path (ELOOP); see quietopen.c. */
int open_beneath_links(const char *path, int flags);
#endif
