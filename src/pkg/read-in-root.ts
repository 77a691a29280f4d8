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
import { realFs } from '../walk/fsport.js';

let buffer: Buffer | undefined;

export type ReadDigest = { digest: string } | { error: string };

/** `full`: the root and an in-root path with no symlink left in it. */
export function digestOfFile(full: Buffer, algo: string): ReadDigest {
  let st;
  try {
    st = realFs.lstat(full);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  if (st.kind !== 'file') return { error: 'NOTREG' };
  buffer ??= Buffer.alloc(READ_BUFFER_BYTES);
  const r = hashFile({ path: full.toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: [algo] }, buffer);
  const digest = r.digests?.[algo];
  return digest !== undefined ? { digest } : { error: r.error ?? 'EIO' };
}
