/**
 * Reading and hashing one regular file, synchronously, into a reused buffer:
 * the fastest design measured on this machine (see PERFORMANCE-NOTES.md).
 * Pure of any thread: the worker is a thin loop over this.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import fs from 'node:fs';
import type { Xxh64 } from './xxh.js';
import { nativeFs } from '../native.js';
import { FIELD, LSTAT_FIELDS } from '../walk/stat.js';

export type Algo = 'sha256' | 'xxh64';

export interface HashTask {
  /** Filesystem path bytes as a latin1 string. */
  path: string;
  /** Identity from the walk's lstat: the opened file must be the same inode. */
  ino: number;
  dev: number;
  /** Size from the lstat; content of another length would not match the recorded size. */
  size: number;
  algos: Algo[];
  /** Also digest the first N bytes (a growing log's old length). */
  prefix?: number;
  /** Return the content itself when the file has at most this many bytes. */
  keep?: number;
}

export interface HashResult {
  digests?: Partial<Record<Algo, string>>;
  prefix?: Partial<Record<Algo, string>>;
  /** The content as a latin1 string, when asked for and small enough. */
  content?: string;
  /** errno code, or SWAPPED (another inode at the path), NOTREG, CHANGED (written during the read). */
  error?: string;
}

const O_NOATIME = fs.constants.O_NOATIME ?? 0;


interface Identity {
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
}

const fields = new Float64Array(LSTAT_FIELDS);

function fstatFields(fd: number): Float64Array {
  const err = nativeFs().fstatInto(fd, fields);
  if (err !== 0) throw Object.assign(new Error('fstat failed'), { code: 'EIO' });
  return fields;
}

function identity(f: Float64Array): Identity {
  return { size: f[FIELD.size]!, mtimeSec: f[FIELD.mtimeSec]!, mtimeNsec: f[FIELD.mtimeNsec]!, ctimeSec: f[FIELD.ctimeSec]!, ctimeNsec: f[FIELD.ctimeNsec]! };
}
const BASE_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

function openQuietly(path: Buffer): number {
  try {
    return fs.openSync(path, BASE_FLAGS | O_NOATIME);
  } catch (err) {
    // O_NOATIME is refused on files the caller does not own (unless root).
    if ((err as NodeJS.ErrnoException).code === 'EPERM' && O_NOATIME) return fs.openSync(path, BASE_FLAGS);
    throw err;
  }
}

interface Digester {
  update(data: Uint8Array): void;
  digest(): string;
}

function digester(algo: Algo, xxh: Xxh64): Digester {
  if (algo === 'xxh64') return xxh.stream();
  const h = createHash('sha256');
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
}

function digestAll(ds: Map<Algo, Digester>): Partial<Record<Algo, string>> {
  const out: Partial<Record<Algo, string>> = {};
  for (const [algo, d] of ds) out[algo] = d.digest();
  return out;
}

export function hashFile(task: HashTask, buf: Buffer, xxh: Xxh64): HashResult {
  let fd: number;
  try {
    fd = openQuietly(Buffer.from(task.path, 'latin1'));
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  try {
    const f = fstatFields(fd);
    // Strictly S_IFREG: kindOfMode would call an unknown type a file.
    if ((f[FIELD.mode]! & 0o170000) !== 0o100000) return { error: 'NOTREG' };
    if (f[FIELD.ino] !== task.ino || f[FIELD.dev] !== task.dev) return { error: 'SWAPPED' };
    if (f[FIELD.size] !== task.size) return { error: 'CHANGED' };
    const before = identity(f);
    const first = fs.readSync(fd, buf, 0, buf.length, 0);
    // Whole file in one read: one-shot digests, the common case for small files.
    if (first < buf.length && task.prefix === undefined) {
      const view = buf.subarray(0, first);
      const digests: Partial<Record<Algo, string>> = {};
      for (const algo of task.algos) {
        digests[algo] = algo === 'sha256' ? oneShotHash('sha256', view, 'hex') : xxh.oneShot(view);
      }
      const result: HashResult = { digests };
      if (task.keep !== undefined && first <= task.keep) result.content = view.toString('latin1');
      return settle(fd, before, result);
    }
    const full = new Map(task.algos.map((a) => [a, digester(a, xxh)]));
    const pre = task.prefix !== undefined ? new Map(task.algos.map((a) => [a, digester(a, xxh)])) : undefined;
    let offset = 0;
    let got = first;
    while (got > 0) {
      const chunk = buf.subarray(0, got);
      for (const d of full.values()) d.update(chunk);
      if (pre && offset < task.prefix!) {
        const part = chunk.subarray(0, Math.min(got, task.prefix! - offset));
        for (const d of pre.values()) d.update(part);
      }
      offset += got;
      got = fs.readSync(fd, buf, 0, buf.length, offset);
    }
    const result: HashResult = { digests: digestAll(full) };
    if (pre && offset >= task.prefix!) result.prefix = digestAll(pre);
    return settle(fd, before, result);
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  } finally {
    fs.closeSync(fd);
  }
}

/** A file written while it was read has no single digest: say so rather than guess. */
function settle(fd: number, before: Identity, result: HashResult): HashResult {
  const after = identity(fstatFields(fd));
  if (after.size !== before.size || after.mtimeSec !== before.mtimeSec || after.mtimeNsec !== before.mtimeNsec ||
    after.ctimeSec !== before.ctimeSec || after.ctimeNsec !== before.ctimeNsec) return { error: 'CHANGED' };
  return result;
}
