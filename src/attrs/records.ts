/**
 * Login record files rewritten in place, one fixed-size record per uid at
 * offset uid * size: lastlog (last login) and faillog (login failures). A login
 * rewrites its user's record, so neither file only grows; what an intruder
 * does to hide is to zero or rewind a record. The value kept is, per uid with
 * a non-empty record, its time and a short digest of its other identifying
 * bytes: a record's time may only move forward, and at the same time its
 * bytes may not change.
 *
 * Layouts (x86_64 glibc and shadow's lib/faillog.h):
 *   lastlog 292 bytes: int32 ll_time, char ll_line[32], char ll_host[256]
 *   faillog  32 bytes: short fail_cnt, short fail_max, char fail_line[12],
 *                      int64 fail_time, int64 fail_locktime
 * faillog's count, maximum and lock time are reset or set by login and the
 * administrator without a new failure: only its line and time are compared.
 *
 * The files are sparse (a uid of 4294967294 makes lastlog 1.2 TB long): more
 * than MAX_RECORD_FILE_BYTES, or more than MAX_RECORDS non-empty records, is
 * reported as not checked (EFBIG) rather than read into memory.
 */
import { createHash } from 'node:crypto';
import type { AttrValue } from '../types.js';

export interface RecordLayout {
  name: 'lastlog' | 'faillog';
  size: number;
  time(buf: Buffer, at: number): number;
  /** The record's bytes that change only with its time: [start, end) offsets. */
  identity: readonly [number, number];
}

export const LASTLOG: RecordLayout = {
  name: 'lastlog', size: 292, identity: [4, 292],
  // Unsigned: an int32 time read as signed turns negative in 2038.
  time: (buf, at) => buf.readUInt32LE(at),
};

export const FAILLOG: RecordLayout = {
  name: 'faillog', size: 32, identity: [4, 16],
  time: (buf, at) => Number(buf.readBigInt64LE(at + 16)),
};

export const MAX_RECORD_FILE_BYTES = 256 * 1024 * 1024;
export const MAX_RECORDS = 65536;

/** Reads a file's bytes in chunks of the given size (a multiple of the record size), in order. */
export type ChunkReader = (chunkBytes: number, visit: (buf: Buffer, length: number, offset: number) => void) => void;

function tooBig(message: string): Error {
  return Object.assign(new Error(message), { code: 'EFBIG' });
}

/** uid -> "TIME DIGEST8" for every non-empty record. */
export function readRecords(layout: RecordLayout, size: number, read: ChunkReader): Record<string, string> {
  if (size > MAX_RECORD_FILE_BYTES) throw tooBig(`${layout.name} of ${size} bytes`);
  const out: Record<string, string> = {};
  let count = 0;
  const [from, to] = layout.identity;
  read(layout.size * 4096, (chunk, length, offset) => {
    let buf = chunk;
    if (length % layout.size !== 0) {
      // A last record cut short is still a record: its missing bytes read as zero.
      buf = Buffer.alloc(length + layout.size - (length % layout.size));
      chunk.copy(buf, 0, 0, length);
      length = buf.length;
    }
    for (let at = 0; at + layout.size <= length; at += layout.size) {
      const time = layout.time(buf, at);
      const identity = buf.subarray(at + from, at + to);
      if (time === 0 && identity.every((b) => b === 0)) continue;
      if (++count > MAX_RECORDS) throw tooBig(`${layout.name} with more than ${MAX_RECORDS} records`);
      const digest = createHash('sha256').update(identity).digest('hex').slice(0, 8);
      out[String((offset + at) / layout.size)] = `${time} ${digest}`;
    }
  });
  return out;
}

function parse(v: string | undefined): [number, string] | undefined {
  if (v === undefined) return undefined;
  const [time, digest] = v.split(' ');
  return [Number(time), digest ?? ''];
}

/** What went wrong with uid's record between old and now, or undefined when it only moved forward. */
function recordFault(old: string, now: string | undefined): string | undefined {
  const a = parse(old)!;
  const b = parse(now);
  if (!b) return 'zeroed';
  if (b[0] < a[0]) return 'rewound';
  if (b[0] === a[0] && b[1] !== a[1]) return 'rewritten at the same time';
  return undefined;
}

function asRecords(v: AttrValue): Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** Each uid whose record was zeroed, rewound or rewritten, with what happened. */
export function recordFaults(old: AttrValue, now: AttrValue): Array<[string, string]> {
  const b = asRecords(now);
  const faults: Array<[string, string]> = [];
  for (const [uid, rec] of Object.entries(asRecords(old))) {
    const fault = recordFault(rec, b[uid]);
    if (fault) faults.push([uid, fault]);
  }
  return faults.sort((x, y) => Number(x[0]) - Number(y[0]));
}

function when(rec: string | undefined): string {
  const p = parse(rec);
  if (!p) return '(none)';
  return p[0] === 0 ? 'time 0' : new Date(p[0] * 1000).toISOString().replace('.000Z', 'Z');
}

/** One line per faulty record: `uid 1000: 2026-11-30T01:02:03Z -> (none): zeroed`. */
export function explainRecords(old: AttrValue, now: AttrValue): string {
  const a = asRecords(old);
  const b = asRecords(now);
  return recordFaults(old, now).map(([uid, fault]) => `uid ${uid}: ${when(a[uid])} -> ${when(b[uid])}: ${fault}`).join('\n');
}

/** The records as `uid@time`, at most 20 of them. */
export function formatRecords(v: AttrValue): string {
  const entries = Object.entries(asRecords(v)).sort((x, y) => Number(x[0]) - Number(y[0]));
  const shown = entries.slice(0, 20).map(([uid, rec]) => `${uid}@${when(rec)}`);
  if (entries.length > 20) shown.push(`and ${entries.length - 20} more`);
  return shown.length ? shown.join(' ') : '(no records)';
}
