/**
 * The only loader of the native addon (native/fsnative.c, built by npm
 * through node-gyp): lstat, fstat, directory listing, extended attributes and
 * the hash workers' batches (open, check, read, digest through Node's own OpenSSL), which Node
 * either lacks or makes allocate per call.
 */
import { createRequire } from 'node:module';

export interface NativeFs {
  lxattrs(path: Buffer): Array<[string, Buffer]> | number;
  lstatInto(path: Buffer, out: Float64Array): number;
  fstatInto(fd: number, out: Float64Array): number;
  /** The third list: per child with xattrs, them (or an errno), read through the listed directory. */
  readDirectory(path: Buffer, dev: number, ino: number, skip: number): [string[], Float64Array, Array<Array<[string, Buffer]> | number | undefined>] | number;
  /** A hash worker's batch (native/hashbatch.c): codes and digests written into the arrays given; returns kept contents, flat [at, content, …]. */
  hashBatch(paths: string, numbers: Float64Array, algos: string[], buf: Uint8Array, digests: Uint8Array[], prefixes: Uint8Array[],
    codes: Float64Array, aheadFiles?: number): Array<number | string>;
  /** The digest's width in bytes through Node's OpenSSL (or xxh64), 0 when unknown. */
  digestSize(algo: string): number;
  /** One digest of `data`, as hashBatch computes it. */
  digestBytes(algo: string, data: Uint8Array): Buffer;
}

const require = createRequire(import.meta.url);
let addon: NativeFs | undefined;

export function nativeFs(): NativeFs {
  // dist/ and src/ are both one level below the package root.
  addon ??= require('../build/Release/driftscan_fs.node') as NativeFs;
  return addon;
}
