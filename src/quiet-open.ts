/**
 * The one way driftscan opens a file of the scanned tree: with O_NOATIME, so
 * reading it leaves its atime as it was (the tree is evidence). The kernel
 * refuses O_NOATIME with EPERM on a file the caller does not own (unless
 * root); only then is it opened again without it. Any other error is the
 * caller's to see.
 */
import fs from 'node:fs';

const O_NOATIME = fs.constants.O_NOATIME ?? 0;

/** Read-only, refusing a symlink at the last component, and never blocking on a FIFO. */
export const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export function openNoAtime(path: Buffer | string, flags: number = READ_FLAGS): number {
  try {
    return fs.openSync(path, flags | O_NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'EPERM' || !O_NOATIME) throw err;
    return fs.openSync(path, flags);
  }
}
