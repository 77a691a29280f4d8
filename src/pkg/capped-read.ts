/**
 * A whole-file read of a log or index in the scanned root, refused above a
 * size: a hostile root's 10 GiB dpkg.log must not take the scan's memory.
 * Refusing only means fewer windows or offered versions, so fewer findings
 * explained, never more.
 */
import fs from 'node:fs';
import { openQuiet } from './quiet-fs.js';

export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

export function readCapped(path: Buffer, max = MAX_HISTORY_BYTES): Buffer {
  const fd = openQuiet(path);
  try {
    if (fs.fstatSync(fd).size > max) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
