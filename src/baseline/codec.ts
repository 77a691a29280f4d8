/**
 * The only importer of msgpackr. Entries are arrays in a fixed order and
 * attrs objects are built in registry order, so the same Baseline always
 * encodes to the same bytes.
 */
import { Packr } from 'msgpackr';
import type { AttrValue, Baseline, BaselineHeader, Entry, FileKind, PackageData } from '../types.js';
import { ATTRIBUTES, attrRow } from '../attrs/registry.js';
import { BaselineFormatError } from '../errors.js';

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, variableMapSize: true });

const KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const FLAG_CONFIG = 1;
const FLAG_GROWING = 2;

/**
 * An entry on disk: [shared, suffix, kind, attrs, untested, flags]. The path is
 * front-coded (bytes shared with the previous path, then the rest): sorted
 * system paths share most of their bytes. attrs is a flat list of (row index in
 * the registry, value) pairs; the registry is append-only for that reason.
 */
type PackedEntry = [number, Buffer, number, unknown[], Record<string, string> | null, number];

const ROW_INDEX = new Map(ATTRIBUTES.map((row, i) => [row.name, i]));

function packValue(name: string, v: AttrValue): unknown {
  const stored = attrRow(name)?.stored;
  if (typeof v === 'string' && stored === 'hex') return Buffer.from(v, 'hex');
  if (typeof v === 'string' && stored === 'bytes') return Buffer.from(v, 'latin1');
  return v;
}

function unpackValue(name: string, v: unknown): AttrValue {
  const stored = attrRow(name)?.stored;
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return stored === 'hex' ? b.toString('hex') : b.toString('latin1');
  }
  return v as AttrValue;
}

function sharedPrefix(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function packEntries(entries: readonly Entry[]): PackedEntry[] {
  let previous = Buffer.alloc(0);
  return entries.map((e) => {
    const path = Buffer.from(e.path, 'latin1');
    const shared = sharedPrefix(previous, path);
    previous = path;
    const attrs: unknown[] = [];
    for (const [name, v] of Object.entries(e.attrs)) attrs.push(ROW_INDEX.get(name)!, packValue(name, v));
    const flags = (e.config ? FLAG_CONFIG : 0) | (e.growing ? FLAG_GROWING : 0);
    return [shared, path.subarray(shared), KINDS.indexOf(e.kind), attrs, e.untested ?? null, flags];
  });
}

function unpackEntries(raw: unknown[]): Entry[] {
  let previous = '';
  return raw.map((item, index) => {
    if (!Array.isArray(item) || item.length !== 6 || typeof item[0] !== 'number' || !(item[1] instanceof Uint8Array)) {
      throw new BaselineFormatError(`baseline entry ${index} is malformed`);
    }
    const [shared, suffix, kindCode, attrs, untested, flags] = item as PackedEntry;
    const kind = KINDS[kindCode];
    if (!kind || !Array.isArray(attrs) || attrs.length % 2 !== 0 || typeof flags !== 'number' || shared > previous.length) {
      throw new BaselineFormatError(`baseline entry ${index} is malformed`);
    }
    const path = previous.slice(0, shared) + Buffer.from(suffix).toString('latin1');
    previous = path;
    const entry: Entry = { path, kind, attrs: {} };
    for (let i = 0; i < attrs.length; i += 2) {
      const code = attrs[i];
      const v = attrs[i + 1];
      const row = typeof code === 'number' ? ATTRIBUTES[code] : undefined;
      if (!row) throw new BaselineFormatError(`baseline entry ${index} has unknown attribute ${String(code)}`);
      entry.attrs[row.name] = unpackValue(row.name, v);
    }
    if (untested) entry.untested = untested;
    if (flags & FLAG_CONFIG) entry.config = true;
    if (flags & FLAG_GROWING) entry.growing = true;
    return entry;
  });
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
  const [manager, packages, files, dbFiles] = raw as [string, string[][], unknown[][], unknown[][]];
  if ((manager !== 'rpm' && manager !== 'dpkg') || !Array.isArray(packages) || !Array.isArray(files)) {
    throw new BaselineFormatError('baseline package data is malformed');
  }
  const out: PackageData = { manager, packages: [], files: {}, dbFiles: {} };
  for (const [name, version, arch] of packages) out.packages.push({ name: name!, version: version!, arch: arch! });
  for (const [path, pkg, digest, algo] of files) {
    const key = Buffer.from(path as Uint8Array).toString('latin1');
    out.files[key] = { pkg: pkg as string };
    if (digest) out.files[key]!.digest = digest as string;
    if (algo) out.files[key]!.algo = algo as string;
  }
  for (const [path, digest] of dbFiles ?? []) out.dbFiles[Buffer.from(path as Uint8Array).toString('latin1')] = digest as string;
  return out;
}

export function encodeBody(b: Baseline): Buffer {
  return packr.pack([packHeader(b.header), packEntries(b.entries), packPackages(b.packages)]);
}

export function decodeBody(body: Buffer): Baseline {
  let raw: unknown;
  try {
    raw = packr.unpack(body);
  } catch (err) {
    throw new BaselineFormatError(`baseline body cannot be decoded: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length !== 3 || !Array.isArray(raw[1])) {
    throw new BaselineFormatError('baseline body is not [header, entries, packages]');
  }
  const header = raw[0] as BaselineHeader;
  if (typeof header !== 'object' || header === null || typeof header.policy !== 'string' || !Array.isArray(header.attrs)) {
    throw new BaselineFormatError('baseline header is malformed');
  }
  header.unlisted = (header.unlisted ?? []).map((p) => (typeof p === 'string' ? p : Buffer.from(p as Uint8Array).toString('latin1')));
  const entries = unpackEntries(raw[1] as unknown[]);
  for (let i = 1; i < entries.length; i++) {
    if (!(entries[i - 1]!.path < entries[i]!.path)) throw new BaselineFormatError('baseline entries are not sorted by path bytes');
  }
  return { header, entries, packages: unpackPackages(raw[2]) };
}

/** Header with BytePath lists as binary, so non-UTF-8 names keep their bytes. */
export function packHeader(h: BaselineHeader): BaselineHeader {
  return { ...h, unlisted: h.unlisted.map((p) => Buffer.from(p, 'latin1')) as unknown as string[] };
}
