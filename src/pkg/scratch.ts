/**
 * Scratch directories for the package tools (the view's mount point, the
 * private rpm database copy). They are made under TMPDIR, which the operator
 * may have pointed into the scanned root (TMPDIR=/mnt/disk/tmp): a directory
 * made there changes the evidence (its parent's mtime, and the copied rpm
 * database lands in it). So a temporary directory inside the root is passed
 * over for /tmp, and when that too is inside (it is whenever the root's
 * real path is /, a live scan, where /tmp is not evidence) it is used as is.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function inside(dir: string, root: string): boolean {
  return root === '/' || dir === root || dir.startsWith(`${root}/`);
}

/** The temporary directory to make scratch directories in for a scan of `root`. */
export function scratchBase(root: string): string {
  const r = real(root || '/');
  if (r === '/') return tmpdir();
  for (const base of [tmpdir(), '/tmp']) {
    if (!inside(real(base), r)) return base;
  }
  throw new Error(`both TMPDIR (${tmpdir()}) and /tmp are inside the scanned root ${r}: no place for scratch files that is not evidence`);
}

export function makeScratch(root: string, prefix: string): string {
  return mkdtempSync(join(scratchBase(root), prefix));
}
