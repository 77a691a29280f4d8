/**
 * Entries in the baseline body: written one after another, and turned back
 * into Entries one at a time, each checked as it comes.
 */
import type { Entry, FileKind } from '../types.js';
import { ATTRIBUTES, attrByCode } from '../attrs/registry.js';
import { BaselineFormatError } from '../errors.js';
import type { RowsReader } from './rows-reader.js';
import { EntryWriter } from './entry-writer.js';

const KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const FLAG_CONFIG = 1;
const FLAG_GROWING = 2;

/** Bytes two BytePaths share at the start (their chars are their bytes). */
function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Per attribute name: its on-disk code and how a string value is stored (one lookup per value). */
const PACKING = new Map(ATTRIBUTES.map((row) => [row.name, { code: row.code, stored: row.stored }]));

/**
 * One entry as it is on disk, written directly (see entry-writer.ts):
 * [shared, suffix, kind, attrs, untested, flags]. The path is front-coded
 * (bytes shared with `previous`, the path before it, then the rest): sorted
 * system paths share most of their bytes. attrs is a flat list of (the row's
 * on-disk code, value) pairs.
 */
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
export function packEntries(entries: readonly Entry[], write: (bytes: Uint8Array) => void, initialBytes?: number): void {
  const out = new EntryWriter(write, initialBytes);
  let previous = '';
  for (const e of entries) {
    writeEntry(out, e, previous);
    previous = e.path;
    out.flushIfFull();
  }
  out.done();
}

/**
 * Reads packed entries back into Entries, one at a time straight from the
 * bytes (rows-reader.ts), in order, checking each as it comes. A value cut
 * short by the end of the bytes throws the reader's short() error, with
 * nothing consumed that counts: the cursor reads on from the entry's start.
 */
export class EntryUnpacker {
  private previous = '';
  private index = 0;

  read(r: RowsReader): Entry {
    const index = this.index;
    const previous = this.previous;
    const malformed = () => new BaselineFormatError(`baseline entry ${index} is malformed`);
    if (r.array() !== 6) throw malformed();
    const shared = r.number();
    if (shared === undefined || !r.isBin()) throw malformed();
    const suffix = r.binText('latin1');
    const kind = KINDS[r.number() ?? -1];
    if (!kind || !r.isArray()) throw malformed();
    const pairs = r.array();
    if (pairs % 2 !== 0 || shared > previous.length || !Number.isInteger(shared) || shared < 0) throw malformed();
    const path = previous.slice(0, shared) + suffix;
    const entry: Entry = { path, kind, attrs: {} };
    for (let i = 0; i < pairs; i += 2) {
      const code = r.number();
      const row = code === undefined ? undefined : attrByCode(code);
      if (!row) throw new BaselineFormatError(`baseline entry ${index} has an unknown attribute${code !== undefined ? ` (${code})` : ''}`);
      const value = r.attrValue(row.stored === 'hex' ? 'hex' : 'latin1');
      if (value === undefined) throw new BaselineFormatError(`baseline entry ${index} has a malformed ${row.name}`);
      entry.attrs[row.name] = value;
    }
    const untested = r.nil() ? null : r.textRecord();
    if (untested === undefined) throw malformed();
    if (untested) entry.untested = untested;
    const flags = r.number();
    if (flags === undefined) throw malformed();
    if (flags & FLAG_CONFIG) entry.config = true;
    if (flags & FLAG_GROWING) entry.growing = true;
    if (index > 0 && !(previous < path)) throw new BaselineFormatError('baseline entries are not sorted by path bytes');
    this.index++;
    this.previous = path;
    return entry;
  }
}
