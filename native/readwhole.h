/* readWhole: see readwhole.c. The codes match READ_CODES in src/hash/digest.ts. */
#ifndef DRIFTSCAN_READWHOLE_H
#define DRIFTSCAN_READWHOLE_H
#include <node_api.h>

#define READ_NOTREG (-100001)
#define READ_SWAPPED (-100002)
#define READ_CHANGED (-100003)

napi_value read_whole(napi_env env, napi_callback_info info);

/* open(2) with O_NOATIME, and without it where the kernel refuses it (EPERM: not the owner). */
int open_noatime(const char *path, int flags);
#endif
