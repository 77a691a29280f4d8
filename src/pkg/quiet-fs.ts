/**
 * Reads of the scanned root's package database that leave it as it was: files
 * are opened with O_NOATIME (retried without only where the kernel refuses it,
 * EPERM: not the owner and not root) and O_NOFOLLOW, and directories are
 * listed on an O_NOATIME descriptor by the native addon. Callers pass paths
 * resolved inside the root (resolve-in-root.ts), so no symlink is left to
 * follow; O_NOFOLLOW makes a link swapped in since then fail instead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { realFs } from '../walk/fsport.js';
import { openNoAtime } from '../quiet-open.js';


/** An fd on a regular file at path, opened without touching its atime; throws (code EINVAL) for anything else. */
export function openQuiet(path: Buffer): number {
  const fd = openNoAtime(path);
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
  }
  return fd;
}

export function readQuiet(path: Buffer): Buffer {
  const fd = openQuiet(path);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Feeds the file to `sink` in 1 MiB chunks, so a database file of any size is read in bounded memory. */
export function streamQuiet(path: Buffer, sink: (chunk: Buffer) => void): void {
  const fd = openQuiet(path);
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let got = fs.readSync(fd, buf, 0, buf.length, null); got > 0; got = fs.readSync(fd, buf, 0, buf.length, null)) {
      sink(buf.subarray(0, got));
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function digestQuiet(path: Buffer, algo: string): string {
  const h = createHash(algo);
  streamQuiet(path, (chunk) => h.update(chunk));
  return h.digest('hex');
}

/** Copies a regular file's bytes to a new file `to` (mode 0600). */
export function copyQuiet(from: Buffer, to: Buffer | string): void {
  const out = fs.openSync(to, 'wx', 0o600);
  try {
    streamQuiet(from, (chunk) => {
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(out, chunk, off);
    });
  } finally {
    fs.closeSync(out);
  }
}

/** The names (latin1) in the directory at path, listed without touching its atime; throws with an errno code. */
export function listQuiet(path: Buffer): string[] {
  const st = realFs.lstat(path);
  if (st.kind !== 'dir') throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  // Each child comes back as "/name": the directory's own bytes are skipped.
  const got = realFs.readDirectory!(path, st.dev, st.ino, path.length);
  if (typeof got === 'string') throw Object.assign(new Error(`cannot list: ${got}`), { code: got === 'SWAPPED' ? 'ENOTDIR' : got });
  return got.paths.map((p) => p.slice(1));
}
