/**
 * The hash tasks and results, and the one slow path: digest algorithms the
 * addon cannot run (any node:crypto name Node's OpenSSL gives differently, or
 * not at all, through EVP), read and hashed here through node:crypto. md5,
 * sha256, sha512, xxh64 and every other name OpenSSL knows go to the addon
 * (run-batch.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { nativeFs } from '../native.js';
import { openNoAtime } from '../quiet-open.js';
import { FIELD, LSTAT_FIELDS } from '../native-stat.js';

/** A digest algorithm, by the name its attribute row gives (attrs/registry.ts): node:crypto's, or xxh64. */
export type Algo = string;

export interface HashTask {
  /** Filesystem path bytes as a latin1 string. */
  path: string;
  /** Identity from the walk's lstat: the opened file must be the same inode. */
  ino: number;
  dev: number;
  /** Size from the lstat; content of another length would not match the recorded size. */
  size: number;
  algos: readonly Algo[];
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

/** What the slow path gives: raw digests, or why not (an errno code, NOTREG, SWAPPED, CHANGED). */
export type RawDigests = { error: string } | { digests: Buffer[]; prefix?: Buffer[] };

const fields = new Float64Array(LSTAT_FIELDS);

function fstatFields(fd: number): Float64Array {
  const err = nativeFs().fstatInto(fd, fields);
  if (err !== 0) throw Object.assign(new Error('fstat failed'), { code: 'EIO' });
  return fields;
}

/** size, mtime and ctime: a write in between changes one of them. */
function contentState(f: Float64Array): string {
  return [FIELD.size, FIELD.mtimeSec, FIELD.mtimeNsec, FIELD.ctimeSec, FIELD.ctimeNsec].map((i) => f[i]).join(' ');
}

/** The file's `algos` digests through node:crypto, read in `buf`-sized chunks, with the addon's checks. */
export function hashWithNodeCrypto(task: HashTask, algos: Algo[], buf: Buffer): RawDigests {
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
    const before = contentState(f);
    const full = algos.map((a) => createHash(a));
    const pre: Hash[] | undefined = task.prefix !== undefined ? algos.map((a) => createHash(a)) : undefined;
    let offset = 0;
    for (let got = fs.readSync(fd, buf, 0, buf.length, 0); got > 0; got = fs.readSync(fd, buf, 0, buf.length, offset)) {
      for (const h of full) h.update(buf.subarray(0, got));
      if (pre && offset < task.prefix!) {
        const part = buf.subarray(0, Math.min(got, task.prefix! - offset));
        for (const h of pre) h.update(part);
      }
      offset += got;
    }
    if (offset !== task.size || contentState(fstatFields(fd)) !== before) return { error: 'CHANGED' };
    const result: RawDigests = { digests: full.map((h) => h.digest()) };
    if (pre && offset >= task.prefix!) result.prefix = pre.map((h) => h.digest());
    return result;
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  } finally {
    fs.closeSync(fd);
  }
}
