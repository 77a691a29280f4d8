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

/**
 * A database file read whole, at most `maxBytes` of it (throws EFBIG past
 * that): a sparse file of gigabytes in the scanned root would otherwise take
 * as much memory here. dpkg's status file is a few MiB on the largest hosts.
 * Triage's logs and indexes are read this way too: refusing one means fewer
 * windows or offered versions, so fewer findings explained, never more.
 */
export const MAX_READ_WHOLE = 256 * 1024 ** 2;

export function readQuiet(path: Buffer, maxBytes = MAX_READ_WHOLE): Buffer {
  return readWhole(path, maxBytes, (size) => Buffer.allocUnsafe(size));
}

/** Up to this size, readQuietScratch reads into its one reused buffer. */
const SCRATCH_MAX = 16 * 1024 ** 2;
let scratch = Buffer.allocUnsafeSlow(0);

/**
 * readQuiet into one buffer reused from call to call, so the bytes are valid
 * only until the next call: for files parsed and digested at once (dpkg's
 * 3,000 info files per scan, each one buffer less for the heap to account for).
 */
export function readQuietScratch(path: Buffer, maxBytes = MAX_READ_WHOLE): Buffer {
  return readWhole(path, maxBytes, (size) => {
    if (size > SCRATCH_MAX) return Buffer.allocUnsafe(size);
    if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 2 * scratch.length, 64 * 1024));
    return scratch;
  });
}

function readWhole(path: Buffer, maxBytes: number, bufferFor: (size: number) => Buffer): Buffer {
  const fd = openNoAtime(path);
  try {
    // One fstat for the kind and the size: dpkg's 3,000 info files are read on every scan.
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
    const size = st.size;
    if (size > maxBytes) throw Object.assign(new Error(`${size} bytes, over ${maxBytes}`), { code: 'EFBIG' });
    // Size 0 may be a file that does not know its size: read to its end.
    if (size === 0) return fs.readFileSync(fd);
    // At most the size fstat gave (a file growing meanwhile is cut there, as readFileSync does).
    const buf = bufferFor(size);
    let got = 0;
    for (let n = -1; got < size && n !== 0; got += n) n = fs.readSync(fd, buf, got, size - got, null);
    return buf.subarray(0, got);
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

/**
 * Copies a regular file's bytes to a new file `to` (mode 0600), at most
 * `maxBytes` of them (throws EFBIG past that): a sparse file in the scanned
 * root costs nothing there and its full size here. Returns the bytes copied.
 */
export function copyQuiet(from: Buffer, to: Buffer | string, maxBytes = Infinity): number {
  const out = fs.openSync(to, 'wx', 0o600);
  let copied = 0;
  try {
    streamQuiet(from, (chunk) => {
      copied += chunk.length;
      if (copied > maxBytes) throw Object.assign(new Error(`over ${maxBytes} bytes`), { code: 'EFBIG' });
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(out, chunk, off);
    });
  } finally {
    fs.closeSync(out);
  }
  return copied;
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
