/**
 * SHA-256 of the package database's own files, so a later scan can tell that
 * the database was edited (for instance to record a trojan's digest).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import type { BytePath } from '../types.js';
import { inRoot } from './root-path.js';

export async function sha256File(path: Buffer): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

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
    names = await readdir(inRoot(root, dir), { encoding: 'buffer' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const out: Record<BytePath, string> = {};
  const wanted = names.map((n) => n.toString('latin1')).filter(keep).sort(byBytes);
  for (const name of wanted) {
    const path = `${dir}/${name}`;
    const full = inRoot(root, path);
    if (!(await lstat(full)).isFile()) continue;
    out[path] = await sha256File(full);
  }
  return out;
}

/** Digests of single files; those that do not exist are left out. */
export async function digestFiles(root: string, paths: BytePath[]): Promise<Record<BytePath, string>> {
  const out: Record<BytePath, string> = {};
  for (const path of paths) {
    try {
      const full = inRoot(root, path);
      if (!(await lstat(full)).isFile()) continue;
      out[path] = await sha256File(full);
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
