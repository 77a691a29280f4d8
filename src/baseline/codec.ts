/**
 * The only importer of msgpackr. Entries are arrays in a fixed order and
 * attrs objects are built in registry order, so the same Baseline always
 * encodes to the same bytes.
 */
import { Packr } from 'msgpackr';
import type { AttrValue, Baseline, BaselineHeader, Entry, FileKind, PackageData } from '../types.js';
import { ATTRIBUTES } from '../attrs/registry.js';
import { BaselineFormatError } from '../errors.js';

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, variableMapSize: true });

const KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const FLAG_CONFIG = 1;
const FLAG_GROWING = 2;

/**
 * The body is a sequence of msgpack values, not one array, so a scan can read
 * the entries one at a time instead of holding them all:
 *
 *   header, packages (or nil), entry count N, entry 1, ..., entry N
 *
 * An entry on disk: [shared, suffix, kind, attrs, untested, flags]. The path is
 * front-coded (bytes shared with the previous path, then the rest): sorted
 * system paths share most of their bytes. attrs is a flat list of (row index in
 * the registry, value) pairs; the registry is append-only for that reason.
 */
type PackedEntry = [number, Buffer, number, unknown[], Record<string, string> | null, number];



function unpackValue(stored: 'hex' | 'bytes' | undefined, v: unknown): AttrValue | undefined {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return stored === 'hex' ? b.toString('hex') : b.toString('latin1');
  }
  return isAttrValue(v) ? v : undefined;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * Only the shapes an AttrValue can have: a 64-bit integer decodes as a BigInt,
 * and a BigInt or a nested object would break compare and the reporters later.
 */
function isAttrValue(v: unknown): v is AttrValue {
  if (v === null || isText(v) || isNumber(v) || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isNumber);
  return isTextRecord(v);
}

function isTextRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.values(v).every(isText);
}

/** Bytes two BytePaths share at the start (their chars are their bytes). */
function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Per attribute name: its registry index and how a string value is stored (one lookup per value). */
const PACKING = new Map(ATTRIBUTES.map((row, i) => [row.name, { index: i, stored: row.stored }]));

function packEntry(e: Entry, previous: string): PackedEntry {
  const shared = sharedPrefix(previous, e.path);
  const attrs: unknown[] = [];
  for (const name in e.attrs) {
    const how = PACKING.get(name)!;
    const v = e.attrs[name]!;
    attrs.push(how.index, typeof v === 'string' && how.stored ? Buffer.from(v, how.stored === 'hex' ? 'hex' : 'latin1') : v);
  }
  const flags = (e.config ? FLAG_CONFIG : 0) | (e.growing ? FLAG_GROWING : 0);
  return [shared, Buffer.from(e.path.slice(shared), 'latin1'), KINDS.indexOf(e.kind), attrs, e.untested ?? null, flags];
}

const CHUNK = 4096;

/** Bytes of a msgpack array header, so a packed chunk can be cut into its elements. */
function arrayHeaderBytes(first: number): number {
  if (first >= 0x90 && first <= 0x9f) return 1;
  if (first === 0xdc) return 3;
  if (first === 0xdd) return 5;
  throw new Error(`not a msgpack array (0x${first.toString(16)})`);
}

/**
 * The entries' encodings back to back. Packed a chunk at a time (one pack call
 * per entry is slow; one array of all entries holds a packed copy of every
 * entry at once); an element's bytes do not depend on the chunking.
 */
function packEntries(entries: readonly Entry[]): Buffer[] {
  const out: Buffer[] = [];
  let previous = '';
  for (let start = 0; start < entries.length; start += CHUNK) {
    const chunk: PackedEntry[] = [];
    for (const e of entries.slice(start, start + CHUNK)) {
      chunk.push(packEntry(e, previous));
      previous = e.path;
    }
    const bytes = packr.pack(chunk);
    out.push(Buffer.from(bytes.subarray(arrayHeaderBytes(bytes[0]!))));
  }
  return out;
}

/** Turns packed entries back into Entries, in order, checking each as it comes. */
class EntryUnpacker {
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
      const row = typeof code === 'number' ? ATTRIBUTES[code] : undefined;
      if (!row) throw new BaselineFormatError(`baseline entry ${index} has unknown attribute ${String(code)}`);
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

function packPackages(p: PackageData | undefined): unknown {
  if (!p) return null;
  const files = Object.keys(p.files).sort().map((path) => {
    const f = p.files[path]!;
    return [Buffer.from(path, 'latin1'), f.pkg, f.digest ?? null, f.algo ?? null];
  });
  const dbFiles = Object.keys(p.dbFiles).sort().map((path) => [Buffer.from(path, 'latin1'), p.dbFiles[path]]);
  return [p.manager, p.packages.map((x) => [x.name, x.version, x.arch]), files, dbFiles];
}

function unpackPackages(raw: unknown): PackageData | undefined {
  if (raw === null || raw === undefined) return undefined;
  const malformed = () => new BaselineFormatError('baseline package data is malformed');
  if (!Array.isArray(raw)) throw malformed();
  const [manager, packages, files, dbFiles] = raw as unknown[];
  const rows = (v: unknown, width: number): unknown[][] => {
    if (!Array.isArray(v) || !v.every((r) => Array.isArray(r) && r.length === width)) throw malformed();
    return v as unknown[][];
  };
  const optText = (v: unknown): v is string | null => v === null || isText(v);
  if (manager !== 'rpm' && manager !== 'dpkg') throw malformed();
  const out: PackageData = { manager, packages: [], files: {}, dbFiles: {} };
  for (const [name, version, arch] of rows(packages, 3)) {
    if (!isText(name) || !isText(version) || !isText(arch)) throw malformed();
    out.packages.push({ name, version, arch });
  }
  for (const [path, pkg, digest, algo] of rows(files, 4)) {
    if (!(path instanceof Uint8Array) || !isText(pkg) || !optText(digest) || !optText(algo)) throw malformed();
    const key = Buffer.from(path).toString('latin1');
    out.files[key] = { pkg };
    if (digest) out.files[key]!.digest = digest;
    if (algo) out.files[key]!.algo = algo;
  }
  for (const [path, digest] of rows(dbFiles ?? [], 2)) {
    if (!(path instanceof Uint8Array) || !isText(digest)) throw malformed();
    out.dbFiles[Buffer.from(path).toString('latin1')] = digest;
  }
  return out;
}

/** The body as consecutive pieces, so the sealer copies them once, straight into the file image. */
export function encodeBodyParts(b: Baseline): Buffer[] {
  return [
    Buffer.from(packr.pack(packHeader(b.header))),
    Buffer.from(packr.pack(packPackages(b.packages))),
    Buffer.from(packr.pack(b.entries.length)),
    ...packEntries(b.entries),
  ];
}

/** A verified body, its entries not yet decoded. */
export interface BaselineReader {
  header: BaselineHeader;
  packages?: PackageData;
  count: number;
  /** Decodes the entries one at a time, in path order; throws BaselineFormatError on any fault. */
  forEachEntry(visit: (entry: Entry) => void): void;
}

function unpackSequence(body: Buffer, visit: (value: unknown, end: number) => boolean): void {
  try {
    packr.unpackMultiple(body, (value: unknown, _start?: number, end?: number) => visit(value, end ?? body.length));
  } catch (err) {
    if (err instanceof BaselineFormatError) throw err;
    throw new BaselineFormatError(`baseline body cannot be decoded: ${(err as Error).message}`);
  }
}

export function readBody(body: Buffer): BaselineReader {
  const head: unknown[] = [];
  let entriesAt = body.length;
  if (body.length === 0) throw new BaselineFormatError('baseline body is empty');
  unpackSequence(body, (value, end) => {
    head.push(value);
    entriesAt = end;
    return head.length < 3;
  });
  if (head.length !== 3) throw new BaselineFormatError('baseline body is not header, packages, count, entries');
  const [rawHeader, rawPackages, count] = head;
  const header = checkHeader(rawHeader);
  const packages = unpackPackages(rawPackages);
  if (!isNumber(count) || !Number.isInteger(count) || count < 0) throw new BaselineFormatError('baseline entry count is malformed');
  const rest = body.subarray(entriesAt);
  return {
    header,
    packages,
    count,
    forEachEntry(visit) {
      const unpacker = new EntryUnpacker();
      let seen = 0;
      if (rest.length > 0) {
        unpackSequence(rest, (value) => {
          if (++seen > count) throw new BaselineFormatError(`baseline has more entries than its count ${count}`);
          visit(unpacker.next(value));
          return true;
        });
      }
      if (seen !== count) throw new BaselineFormatError(`baseline has ${seen} entries, its count says ${count}`);
    },
  };
}

export function decodeBody(body: Buffer): Baseline {
  const reader = readBody(body);
  const entries: Entry[] = [];
  reader.forEachEntry((e) => entries.push(e));
  return { header: reader.header, entries, packages: reader.packages };
}

function checkHeader(raw: unknown): BaselineHeader {
  const header = raw as BaselineHeader;
  // Every field is printed or parsed later: check its type here, where the error can say so.
  const texts = ['tool', 'host', 'created', 'root', 'policy', 'keyId'] as const;
  const pathList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((p) => isText(p) || p instanceof Uint8Array));
  if (
    typeof header !== 'object' || header === null || Array.isArray(header) || !isNumber(header.format) ||
    texts.some((k) => !isText(header[k])) || !Array.isArray(header.attrs) || !header.attrs.every(isText) ||
    !pathList(header.unlisted) ||
    (header.growing !== undefined && (!Array.isArray(header.growing) ||
      !(header.growing as unknown[]).every((g) => Array.isArray(g) && g.length === 2 && (g[0] instanceof Uint8Array) && isNumber(g[1]))))
  ) {
    throw new BaselineFormatError('baseline header is malformed');
  }
  const text = (p: unknown) => (typeof p === 'string' ? p : Buffer.from(p as Uint8Array).toString('latin1'));
  header.unlisted = (header.unlisted ?? []).map(text);
  header.growing = (header.growing ?? []).map(([p, size]) => [text(p), size]);
  return header;
}

/** Header with BytePath lists as binary, so non-UTF-8 names keep their bytes. */
export function packHeader(h: BaselineHeader): BaselineHeader {
  const bytes = (p: string) => Buffer.from(p, 'latin1');
  return {
    ...h,
    unlisted: h.unlisted.map(bytes) as unknown as string[],
    growing: (h.growing ?? []).map(([p, size]) => [bytes(p), size]) as unknown as Array<[string, number]>,
  };
}
