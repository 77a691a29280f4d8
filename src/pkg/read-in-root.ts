/**
 * One file's digest for the package checks, read on this thread through the
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
export function fileTask(full: Buffer, algo: string): HashTask | { error: string } {
  let st;
  try {
    st = realFs.lstat(full);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  if (st.kind !== 'file') return { error: 'NOTREG' };
  return { path: full.toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: [algo] };
}

/** One file's digest, read on this thread. */
export function digestOfFile(full: Buffer, algo: string): ReadDigest {
  const task = fileTask(full, algo);
  if ('error' in task) return task;
  buffer ??= Buffer.alloc(READ_BUFFER_BYTES);
  const r = hashFile(task, buffer);
  const digest = r.digests?.[algo];
  return digest !== undefined ? { digest } : { error: r.error ?? 'EIO' };
}
