/**
 * SHA-256 of the package database's own files, so a later scan can tell that
 * the database was edited (for instance to record a trojan's digest).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath } from '../types.js';
import { inRoot } from './root-path.js';

function sha256File(path: Buffer): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Synchronous reads, with the event loop let in every few files: this runs
 * beside a walk, and a promise per file waited a walk step each (2,200 files
 * of dpkg's info directory took 1.7 s that way).
 */
const YIELD_EVERY = 64;

/**
 * Digests of the regular files directly in `dir` (root-relative) that `keep`
 * accepts, keyed by root-relative BytePath. A missing directory gives {}.
 */
export async function digestDir(
  root: string,
  dir: BytePath,
  keep: (name: BytePath) => boolean,
): Promise<Record<BytePath, string>> {
  let names: Buffer[];
  try {
    names = readdirSync(inRoot(root, dir), { encoding: 'buffer' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const out: Record<BytePath, string> = {};
  const wanted = names.map((n) => n.toString('latin1')).filter(keep).sort(byBytes);
  for (let i = 0; i < wanted.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
    const path = `${dir}/${wanted[i]}`;
    const full = inRoot(root, path);
    if (!lstatSync(full).isFile()) continue;
    out[path] = sha256File(full);
  }
  return out;
}

/** Digests of single files; those that do not exist are left out. */
export async function digestFiles(root: string, paths: BytePath[]): Promise<Record<BytePath, string>> {
  const out: Record<BytePath, string> = {};
  for (const path of paths) {
    try {
      const full = inRoot(root, path);
      if (!lstatSync(full).isFile()) continue;
      out[path] = sha256File(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return out;
}

/** Byte order for latin1 BytePaths: comparing char codes is comparing bytes. */
export function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
