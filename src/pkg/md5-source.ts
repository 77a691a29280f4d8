/**
 * The md5 of packaged files for driftscan's own dpkg verify. A file the walk
 * read may already be known (Md5Source: the baseline recorded its md5 beside
 * its sha256, and the walk read the same sha256 now); every other one is read
 * here, inside the root: in the hash pool, in parallel, when there are many,
 * on this thread when there are a handful (a pool costs its workers' start).
 */
import type { BytePath } from '../types.js';
import { HashPool } from '../hash/pool.js';
import { digestOfFile, fileTask } from './read-in-root.js';
import { inRoot } from '../paths.js';

export interface Md5Source {
  /** The md5 of the regular file at this in-root path, when known without reading it. */
  known(path: BytePath): string | undefined;
  /** Settles when `known` can answer (the walk has finished). */
  ready?: Promise<unknown>;
}

export type Md5Result = { md5: string } | { error: string };

/** Below this many files to read, no pool is started. */
const POOL_FROM = 64;

/** md5 of each in-root path (no symlink left in it), known or read. */
export async function md5InRoot(root: string, paths: readonly BytePath[], source?: Md5Source): Promise<Map<BytePath, Md5Result>> {
  const out = new Map<BytePath, Md5Result>();
  const toRead: BytePath[] = [];
  for (const p of paths) {
    if (out.has(p)) continue;
    const md5 = source?.known(p);
    if (md5 !== undefined) out.set(p, { md5 });
    else {
      out.set(p, { error: 'EIO' });
      toRead.push(p);
    }
  }
  if (toRead.length < POOL_FROM) {
    for (const p of toRead) out.set(p, readOne(root, p));
    return out;
  }
  const pool = new HashPool<BytePath>((p, _size, r) => {
    const md5 = r.digests?.md5;
    out.set(p, md5 !== undefined ? { md5 } : { error: r.error ?? 'EIO' });
  });
  try {
    for (const p of toRead) {
      const task = fileTask(inRoot(root, p), 'md5');
      if ('error' in task) out.set(p, task);
      else pool.add(task, p);
    }
    await pool.finish();
  } finally {
    await pool.close();
  }
  return out;
}

function readOne(root: string, p: BytePath): Md5Result {
  const r = digestOfFile(inRoot(root, p), 'md5');
  return 'digest' in r ? { md5: r.digest } : r;
}
