/* hashBatch, digestSize, digestBytes: see hashbatch.c. */
#ifndef DRIFTSCAN_HASHBATCH_H
#define DRIFTSCAN_HASHBATCH_H
#include <node_api.h>
napi_status register_hash_batch(napi_env env, napi_value exports);
#endif
