/**
 * One file's digests for the package checks (and a scan's deferred xxh64,
 * snapshot/deferred.ts), read on this thread through the
 * hash workers' own native code (src/hash/run-batch.ts): opened with no symlink
 * allowed anywhere on its path and checked to be the inode found by lstat. A
 * packaged path is resolved inside the root first, then read by its full path:
 * were a directory on the way swapped for a link in between, the lstat would
 * go through the link and the inode check would agree with it; the open
 * refuses the link (ELOOP) instead, so nothing outside the root is read.
 */
import { hashFile, READ_BUFFER_BYTES } from '../hash/run-batch.js';
import type { HashTask } from '../hash/digest.js';
import { realFs } from '../walk/fsport.js';

let buffer: Buffer | undefined;

export type ReadDigest = { digest: string } | { error: string };

/** The hash task for the regular file at `full` (the root and an in-root path with no symlink left in it), or why there is none. */
export function fileTask(full: Buffer, algos: string | readonly string[]): HashTask | { error: string } {
  let st;
  try {
    st = realFs.lstat(full);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  if (st.kind !== 'file') return { error: 'NOTREG' };
  return { path: full.toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: typeof algos === 'string' ? [algos] : algos };
}

/** One file's digests, read once on this thread. */
export function digestsOfFile(full: Buffer, algos: readonly string[]): { digests: Record<string, string> } | { error: string } {
  const task = fileTask(full, algos);
  if ('error' in task) return task;
  buffer ??= Buffer.alloc(READ_BUFFER_BYTES);
  const r = hashFile(task, buffer);
  if (r.error || !r.digests || algos.some((a) => r.digests![a] === undefined)) return { error: r.error ?? 'EIO' };
  return { digests: r.digests as Record<string, string> };
}

/** One file's digest, read on this thread. */
export function digestOfFile(full: Buffer, algo: string): ReadDigest {
  const r = digestsOfFile(full, [algo]);
  return 'error' in r ? r : { digest: r.digests[algo]! };
}
