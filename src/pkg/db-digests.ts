/**
 * SHA-256 of the package database's own files, so a later scan can tell that
 * the database was edited (for instance to record a trojan's digest). Paths
 * given here are resolved inside the root already (resolve-in-root.ts); files
 * are read and directories listed without touching their atimes (quiet-fs.ts).
 */
import { besideWalk } from '../beside-walk.js';
import type { BytePath } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { listQuiet } from './quiet-fs.js';
import { digestOfFile } from './read-in-root.js';
import { comparePaths, inRoot } from '../paths.js';

/**
 * Synchronous reads, with the event loop let in every few files: this runs
 * beside a walk, and a promise per file waited a walk step each (2,200 files
 * of dpkg's info directory took 1.7 s that way).
 */
const YIELD_EVERY = 64;

function isRegular(full: Buffer): boolean {
  return realFs.lstat(full).kind === 'file';
}

/**
 * Digests of the regular files directly in `dir` (root-relative, resolved)
 * that `keep` accepts, keyed by root-relative BytePath. A missing directory gives {}.
 */
export async function digestDir(
  root: string,
  dir: BytePath,
  keep: (name: BytePath) => boolean,
  listed?: string[],
): Promise<Record<BytePath, string>> {
  let names: string[];
  try {
    // `listed`: the directory's names as the caller listed them already.
    names = listed ?? listQuiet(inRoot(root, dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const out: Record<BytePath, string> = {};
  const wanted = names.filter(keep).sort(comparePaths);
  for (let i = 0; i < wanted.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await besideWalk();
    const path = `${dir}/${wanted[i]}`;
    const full = inRoot(root, path);
    if (!isRegular(full)) continue;
    out[path] = sha256Of(full);
  }
  return out;
}

/** Digests of single files (root-relative, resolved); those that do not exist are left out. */
export async function digestFiles(root: string, paths: BytePath[]): Promise<Record<BytePath, string>> {
  const out: Record<BytePath, string> = {};
  for (const path of paths) {
    try {
      const full = inRoot(root, path);
      if (!isRegular(full)) continue;
      out[path] = sha256Of(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return out;
}

/** Through the native read (no symlink on the path, the inode lstat found); an error thrown with its code. */
function sha256Of(full: Buffer): string {
  const r = digestOfFile(full, 'sha256');
  if ('digest' in r) return r.digest;
  throw Object.assign(new Error(`cannot read ${full.toString('latin1')}: ${r.error}`), { code: r.error });
}
