/**
 * The only importer of msgpackr. Entries are arrays in a fixed order and
 * attrs objects are built in registry order, so the same Baseline always
 * encodes to the same bytes.
 */
import { Packr } from 'msgpackr';
import type { AttrValue, Baseline, BaselineHeader, Entry, FileKind, PackageData } from '../types.js';
import { attrRow } from '../attrs/registry.js';
import { BaselineFormatError } from '../errors.js';

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, variableMapSize: true });

const KINDS: readonly FileKind[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const FLAG_CONFIG = 1;
const FLAG_GROWING = 2;

type PackedEntry = [Buffer, number, Record<string, unknown>, Record<string, string> | null, number];

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

function packEntry(e: Entry): PackedEntry {
  const attrs: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(e.attrs)) attrs[name] = packValue(name, v);
  const flags = (e.config ? FLAG_CONFIG : 0) | (e.growing ? FLAG_GROWING : 0);
  return [Buffer.from(e.path, 'latin1'), KINDS.indexOf(e.kind), attrs, e.untested ?? null, flags];
}

function unpackEntry(raw: unknown, index: number): Entry {
  if (!Array.isArray(raw) || raw.length !== 5 || !(raw[0] instanceof Uint8Array)) {
    throw new BaselineFormatError(`baseline entry ${index} is malformed`);
  }
  const [path, kindCode, attrs, untested, flags] = raw as PackedEntry;
  const kind = KINDS[kindCode];
  if (!kind || typeof attrs !== 'object' || attrs === null || typeof flags !== 'number') {
    throw new BaselineFormatError(`baseline entry ${index} is malformed`);
  }
  const entry: Entry = { path: Buffer.from(path).toString('latin1'), kind, attrs: {} };
  for (const [name, v] of Object.entries(attrs)) {
    if (!attrRow(name)) throw new BaselineFormatError(`baseline entry ${index} has unknown attribute ${name}`);
    entry.attrs[name] = unpackValue(name, v);
  }
  if (untested) entry.untested = untested;
  if (flags & FLAG_CONFIG) entry.config = true;
  if (flags & FLAG_GROWING) entry.growing = true;
  return entry;
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
  return packr.pack([packHeader(b.header), b.entries.map(packEntry), packPackages(b.packages)]);
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
  const entries = (raw[1] as unknown[]).map(unpackEntry);
  for (let i = 1; i < entries.length; i++) {
    if (!(entries[i - 1]!.path < entries[i]!.path)) throw new BaselineFormatError('baseline entries are not sorted by path bytes');
  }
  return { header, entries, packages: unpackPackages(raw[2]) };
}

/** Header with BytePath lists as binary, so non-UTF-8 names keep their bytes. */
export function packHeader(h: BaselineHeader): BaselineHeader {
  return { ...h, unlisted: h.unlisted.map((p) => Buffer.from(p, 'latin1')) as unknown as string[] };
}
