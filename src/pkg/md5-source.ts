/**
 * The md5 of packaged files for driftscan's own dpkg verify. A file the walk
 * read may already be known (Md5Source: the baseline recorded its md5 beside
 * its sha256, and the walk read the same sha256 now); every other one is read
 * here, inside the root: in the hash pool, in parallel, when there is much to
 * read, on this thread, a slice at a time, when there is little (a pool costs
 * its workers' start, and this may run beside the walk, whose pool is busy).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath } from '../types.js';
import { HashPool } from '../hash/pool.js';
import type { HashTask } from '../hash/digest.js';
import { digestOfFile, fileTask } from './read-in-root.js';
import { inRoot } from '../paths.js';

export interface Md5Source {
  /** The md5 of the regular file at this in-root path, when known without reading it. */
  known(path: BytePath): string | undefined;
  /** Settles when `known` can answer (the walk has finished). */
  ready?: Promise<unknown>;
  /**
   * False when `known` will not answer for this in-root path even once `ready`
   * settles (the walk does not record it): the verify reads such a file
   * without waiting for the walk. Absent: any path may be answered.
   */
  covers?(path: BytePath): boolean;
}

export type Md5Result = { md5: string } | { error: string };

/** Up to this much to read, it is read on this thread (a few ms of hashing), not in a pool. */
const ON_THREAD_FILES = 2048;
const ON_THREAD_BYTES = 16 * 1024 ** 2;
/** On this thread, a turn of the event loop after about this much read. */
const SLICE_BYTES = 1024 ** 2;
const SLICE_FILES = 64;

/** md5 of each in-root path (no symlink left in it), known or read. */
export async function md5InRoot(root: string, paths: readonly BytePath[], source?: Md5Source): Promise<Map<BytePath, Md5Result>> {
  const out = new Map<BytePath, Md5Result>();
  const toRead: Array<[BytePath, HashTask]> = [];
  let bytes = 0;
  for (const p of paths) {
    if (out.has(p)) continue;
    const md5 = source?.known(p);
    if (md5 !== undefined) {
      out.set(p, { md5 });
      continue;
    }
    const task = fileTask(inRoot(root, p), 'md5');
    if ('error' in task) out.set(p, task);
    else {
      out.set(p, { error: 'EIO' });
      toRead.push([p, task]);
      bytes += task.size;
    }
  }
  if (toRead.length <= ON_THREAD_FILES && bytes <= ON_THREAD_BYTES) await readHere(root, toRead, out);
  else await readInPool(toRead, out);
  return out;
}

async function readHere(root: string, toRead: Array<[BytePath, HashTask]>, out: Map<BytePath, Md5Result>): Promise<void> {
  let bytes = 0;
  let files = 0;
  for (const [p, task] of toRead) {
    if (bytes >= SLICE_BYTES || files >= SLICE_FILES) {
      await nextTurn();
      bytes = files = 0;
    }
    // Looked at again when read: the file is checked to be the one lstat finds then.
    const r = digestOfFile(inRoot(root, p), 'md5');
    out.set(p, 'digest' in r ? { md5: r.digest } : r);
    bytes += task.size;
    files++;
  }
}

async function readInPool(toRead: Array<[BytePath, HashTask]>, out: Map<BytePath, Md5Result>): Promise<void> {
  const pool = new HashPool<BytePath>((p, _size, r) => {
    const md5 = r.digests?.md5;
    out.set(p, md5 !== undefined ? { md5 } : { error: r.error ?? 'EIO' });
  });
  try {
    for (const [p, task] of toRead) pool.add(task, p);
    await pool.finish();
  } finally {
    await pool.close();
  }
}
