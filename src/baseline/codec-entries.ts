/**
 * Entries in the baseline body: written one after another, and turned back
 * into Entries one at a time, each checked as it comes.
 */
import type { AttrValue, Entry, FileKind } from '../types.js';
import { ATTRIBUTES, attrByCode } from '../attrs/registry.js';
import { BaselineFormatError } from '../errors.js';
import { isAttrValue, isNumber, isTextRecord } from './msgpack.js';
import { EntryWriter } from './entry-writer.js';

const KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const FLAG_CONFIG = 1;
const FLAG_GROWING = 2;

/**
 * An entry on disk: [shared, suffix, kind, attrs, untested, flags]. The path is
 * front-coded (bytes shared with the previous path, then the rest): sorted
 * system paths share most of their bytes. attrs is a flat list of (the row's
 * on-disk code, value) pairs.
 */
type PackedEntry = [number, Buffer, number, unknown[], Record<string, string> | null, number];

function unpackValue(stored: 'hex' | 'bytes' | undefined, v: unknown): AttrValue | undefined {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return stored === 'hex' ? b.toString('hex') : b.toString('latin1');
  }
  return isAttrValue(v) ? v : undefined;
}

/** Bytes two BytePaths share at the start (their chars are their bytes). */
function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Per attribute name: its on-disk code and how a string value is stored (one lookup per value). */
const PACKING = new Map(ATTRIBUTES.map((row) => [row.name, { code: row.code, stored: row.stored }]));

/** One entry as a PackedEntry, written directly (see entry-writer.ts); `previous` is the path before it. */
export function writeEntry(out: EntryWriter, e: Entry, previous: string): void {
  const shared = sharedPrefix(previous, e.path);
  out.array(6);
  out.number(shared);
  out.bytes(e.path.slice(shared), 'latin1');
  out.number(KINDS.indexOf(e.kind));
  const names = Object.keys(e.attrs);
  out.array(names.length * 2);
  for (const name of names) {
    const how = PACKING.get(name)!;
    out.number(how.code);
    out.value(e.attrs[name]!, how.stored);
  }
  if (e.untested) out.textRecord(e.untested);
  else out.nil();
  out.number((e.config ? FLAG_CONFIG : 0) | (e.growing ? FLAG_GROWING : 0));
}

/**
 * The entries' encodings back to back, handed to `write` a megabyte or so at
 * a time (it must copy them: the buffer is reused). An element's bytes do not
 * depend on where the pieces are cut.
 */
export function packEntries(entries: readonly Entry[], write: (bytes: Uint8Array) => void): void {
  const out = new EntryWriter(write);
  let previous = '';
  for (const e of entries) {
    writeEntry(out, e, previous);
    previous = e.path;
    out.flushIfFull();
  }
  out.done();
}

/** Turns packed entries back into Entries, in order, checking each as it comes. */
export class EntryUnpacker {
  private previous = '';
  private index = 0;

  next(item: unknown): Entry {
    const index = this.index++;
    const previous = this.previous;
    if (!Array.isArray(item) || item.length !== 6 || typeof item[0] !== 'number' || !(item[1] instanceof Uint8Array)) {
      throw new BaselineFormatError(`baseline entry ${index} is malformed`);
    }
    const [shared, suffix, kindCode, attrs, untested, flags] = item as PackedEntry;
    const kind = KINDS[kindCode];
    if (!kind || !Array.isArray(attrs) || attrs.length % 2 !== 0 || !isNumber(flags) || !isNumber(shared) || shared > previous.length) {
      throw new BaselineFormatError(`baseline entry ${index} is malformed`);
    }
    const path = previous.slice(0, shared) + Buffer.from(suffix.buffer, suffix.byteOffset, suffix.byteLength).toString('latin1');
    this.previous = path;
    const entry: Entry = { path, kind, attrs: {} };
    for (let i = 0; i < attrs.length; i += 2) {
      const code = attrs[i];
      const v = attrs[i + 1];
      const row = typeof code === 'number' ? attrByCode(code) : undefined;
      if (!row) throw new BaselineFormatError(`baseline entry ${index} has an unknown attribute${typeof code === 'number' ? ` (${code})` : ''}`);
      const value = unpackValue(row.stored, v);
      if (value === undefined) throw new BaselineFormatError(`baseline entry ${index} has a malformed ${row.name}`);
      entry.attrs[row.name] = value;
    }
    if (untested !== null && !isTextRecord(untested)) throw new BaselineFormatError(`baseline entry ${index} is malformed`);
    if (untested) entry.untested = untested;
    if (flags & FLAG_CONFIG) entry.config = true;
    if (flags & FLAG_GROWING) entry.growing = true;
    if (index > 0 && !(previous < path)) throw new BaselineFormatError('baseline entries are not sorted by path bytes');
    return entry;
  }
}
