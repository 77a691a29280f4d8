/**
 * Joining a scanned root and a root-relative BytePath into a filesystem path.
 * The result is a Buffer so a non-UTF-8 name reaches the kernel byte for byte.
 */
import type { BytePath } from '../types.js';

/** "/mnt/disk/" -> "/mnt/disk"; "/" -> "" (so joining gives "/usr/bin/ls"). */
export function normalizeRoot(root: string): string {
  return root.replace(/\/+$/, '');
}

export function inRoot(root: string, path: BytePath): Buffer {
  return Buffer.concat([Buffer.from(normalizeRoot(root), 'utf8'), Buffer.from(path, 'latin1')]);
}

/** The root as a command-line argument for `--root`: "/" stays "/". */
export function rootArg(root: string): string {
  return normalizeRoot(root) || '/';
}
