/**
 * Reading and hashing one regular file, synchronously, into one reused buffer:
 * the fastest design measured on this machine (bench/README.md).
 * Pure of any thread: the worker is a thin loop over this.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import fs from 'node:fs';
import type { Xxh64 } from './xxh.js';
import { nativeFs } from '../native.js';
import { openNoAtime } from '../quiet-open.js';
import { errnoName, FIELD, LSTAT_FIELDS } from '../native-stat.js';

/**
 * A digest algorithm, by the name its attribute row gives (attrs/registry.ts):
 * xxh64 is the wasm kernel, any other is node:crypto's.
 */
export type Algo = string;

const XXH64 = 'xxh64';

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

interface Digester {
  /** Adds the first `length` bytes of the hasher's read buffer. */
  update(length: number): void;
  digest(): string;
}

function digester(algo: Algo, xxh: Xxh64): Digester {
  if (algo === XXH64) {
    const s = xxh.stream();
    return { update: (n) => s.updateFromBuffer(n), digest: () => s.digest() };
  }
  const h = createHash(algo);
  return { update: (n) => void h.update(xxh.buffer.subarray(0, n)), digest: () => h.digest('hex') };
}

function digestAll(ds: Map<Algo, Digester>): Partial<Record<Algo, string>> {
  const out: Partial<Record<Algo, string>> = {};
  for (const [algo, d] of ds) out[algo] = d.digest();
  return out;
}

/** readWhole's own codes; the rest are negative errnos. */
const READ_CODES = new Map([[-100001, 'NOTREG'], [-100002, 'SWAPPED'], [-100003, 'CHANGED']]);

/** Reads a file into xxh.buffer and digests it there (the buffer lives in the xxh64 module's memory). */
export function hashFile(task: HashTask, xxh: Xxh64): HashResult {
  // Whole file in one native call: most files of a system tree fit the buffer.
  if (task.size < xxh.buffer.length && task.prefix === undefined) {
    const got = nativeFs().readWhole(task.path, xxh.buffer, task.ino, task.dev, task.size);
    if (got < 0) return { error: READ_CODES.get(got) ?? errnoName(-got) };
    const digests: Partial<Record<Algo, string>> = {};
    for (const algo of task.algos) {
      digests[algo] = algo === XXH64 ? xxh.ofBuffer(got) : oneShotHash(algo, xxh.buffer.subarray(0, got), 'hex');
    }
    const result: HashResult = { digests };
    if (task.keep !== undefined && got <= task.keep) result.content = xxh.buffer.toString('latin1', 0, got);
    return result;
  }
  return hashStreamed(task, xxh);
}

/** A file larger than the buffer, or a growing log (whose old length is digested too): read in chunks, content never kept. */
function hashStreamed(task: HashTask, xxh: Xxh64): HashResult {
  const buf = xxh.buffer;
  let fd: number;
  try {
    fd = openNoAtime(Buffer.from(task.path, 'latin1'));
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
    const full = new Map(task.algos.map((a) => [a, digester(a, xxh)]));
    const pre = task.prefix !== undefined ? new Map(task.algos.map((a) => [a, digester(a, xxh)])) : undefined;
    let offset = 0;
    for (let got = fs.readSync(fd, buf, 0, buf.length, 0); got > 0; got = fs.readSync(fd, buf, 0, buf.length, offset)) {
      for (const d of full.values()) d.update(got);
      if (pre && offset < task.prefix!) {
        const part = Math.min(got, task.prefix! - offset);
        for (const d of pre.values()) d.update(part);
      }
      offset += got;
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
