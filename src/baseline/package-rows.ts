/**
 * The package data's two big sections, the files (path, owner, digest,
 * algorithm) and the md5s the baseline's walk recorded (path, sha256, md5):
 * checked byte for byte when the baseline is opened, decoded into objects
 * only when first read. A whole host has ~100,000 rows of each; decoding them
 * into keyed objects cost a scan ~0.2 s (and as much again collecting them)
 * before its walk could start, when a scan needs only the files' paths then
 * (the entries it keeps, walked-entries.ts) and their owners and digests
 * only for findings; a scan with --packages none needs none of it.
 */
import type { BytePath, PackageData } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { RowsReader, seenTexts } from './rows-reader.js';
import { comparePaths, lowerBound } from '../paths.js';

export const malformed = () => new BaselineFormatError('baseline package data is malformed');

/** A row: an array of exactly `width` values. */
export function row(r: RowsReader, width: number): void {
  if (r.array() !== width) throw malformed();
}

/** Where a section's rows start in the bytes (its first row), and how many there are. */
export interface Rows {
  at: number;
  count: number;
}

/** Checks the files' rows as decodeFiles reads them, moving past them. */
export function passFileRows(r: RowsReader): Rows {
  const count = r.array();
  const at = r.at;
  for (let n = count; n > 0; n--) {
    row(r, 4);
    r.passBin('latin1');
    r.passText();
    r.passTextOrNull();
    r.passTextOrNull();
  }
  return { at, count };
}

/** Checks the md5s' rows as decodeMd5s reads them, moving past them. */
export function passMd5Rows(r: RowsReader): Rows {
  const count = r.array();
  const at = r.at;
  for (let n = count; n > 0; n--) {
    row(r, 3);
    r.passBin('latin1');
    r.passBin('hex', 32);
    r.passBin('hex', 16);
  }
  return { at, count };
}

/** The files' paths, in row order (sorted as written), and where each row starts; nothing else decoded. */
function decodePaths(bytes: Buffer, rows: Rows): { paths: BytePath[]; starts: Float64Array; sorted: boolean } {
  const r = new RowsReader(bytes, malformed);
  r.at = rows.at;
  const paths = new Array<BytePath>(rows.count);
  const starts = new Float64Array(rows.count);
  let sorted = true;
  for (let i = 0; i < rows.count; i++) {
    starts[i] = r.at;
    row(r, 4);
    paths[i] = r.binText('latin1');
    if (i > 0 && !(paths[i - 1]! < paths[i]!)) sorted = false;
    r.passText();
    r.passTextOrNull();
    r.passTextOrNull();
  }
  return { paths, starts, sorted };
}

/** One file row's record (its path already read), as decodeFiles makes it. */
function fileRecord(r: RowsReader, names: ReturnType<typeof seenTexts>): PackageData['files'][string] {
  const pkg = r.textSeen(names);
  const digest = r.textOrNull();
  const algo = r.nil() ? null : r.textSeen(names);
  return digest ? (algo ? { pkg, digest, algo } : { pkg, digest }) : algo ? { pkg, algo } : { pkg };
}

/** The files' rows as PackageData's files; `paths`, when given, are decodePaths' (their strings are kept). */
function decodeFiles(bytes: Buffer, rows: Rows, paths: readonly BytePath[] | undefined): PackageData['files'] {
  const r = new RowsReader(bytes, malformed);
  r.at = rows.at;
  const files: PackageData['files'] = {};
  // A package name and an algorithm repeat on every row of the package's files: decoded once each.
  const names = seenTexts();
  for (let i = 0; i < rows.count; i++) {
    row(r, 4);
    let path: BytePath;
    if (paths) r.passBin('latin1'), (path = paths[i]!);
    else path = r.binText('latin1');
    files[path] = fileRecord(r, names);
  }
  return files;
}

/**
 * The md5s the baseline's walk recorded, compact: paths sorted by bytes, with
 * each one's sha256 (32 bytes) and md5 (16 bytes) at its index. A scan
 * checks ~100,000 of them against the walk's sha256s; as ~100,000 keyed
 * objects of hex strings they cost ~0.2 s to decode before the check began.
 */
export interface Md5Rows {
  paths: BytePath[];
  sha256: Buffer;
  md5: Buffer;
}

/** The md5 rows straight from their bytes; undefined when they are not in path order (then the object is used). */
function decodeMd5Rows(bytes: Buffer, rows: Rows): Md5Rows | undefined {
  const r = new RowsReader(bytes, malformed);
  r.at = rows.at;
  const out: Md5Rows = { paths: new Array<BytePath>(rows.count), sha256: Buffer.alloc(32 * rows.count), md5: Buffer.alloc(16 * rows.count) };
  for (let i = 0; i < rows.count; i++) {
    row(r, 3);
    const path = r.binText('latin1');
    if (i > 0 && !(out.paths[i - 1]! < path)) return undefined;
    out.paths[i] = path;
    r.binInto(out.sha256, 32 * i, 32);
    r.binInto(out.md5, 16 * i, 16);
  }
  return out;
}

/** The same from a decoded (or built) contentMd5 object. */
export function md5RowsOf(recorded: NonNullable<PackageData['contentMd5']>): Md5Rows {
  const paths = Object.keys(recorded).sort(comparePaths);
  const out: Md5Rows = { paths, sha256: Buffer.alloc(32 * paths.length), md5: Buffer.alloc(16 * paths.length) };
  paths.forEach((path, i) => {
    out.sha256.write(recorded[path]!.sha256, 32 * i, 32, 'hex');
    out.md5.write(recorded[path]!.md5, 16 * i, 16, 'hex');
  });
  return out;
}

const md5Undecoded = new WeakMap<PackageData, () => Md5Rows | undefined>();

/** The package data's recorded md5s as rows, without decoding them into objects when they are still bytes. */
export function recordedMd5Rows(p: PackageData | undefined): Md5Rows | undefined {
  if (!p) return undefined;
  const fromBytes = md5Undecoded.get(p)?.();
  if (fromBytes) return fromBytes;
  return p.contentMd5 ? md5RowsOf(p.contentMd5) : undefined;
}

function decodeMd5s(bytes: Buffer, rows: Rows): NonNullable<PackageData['contentMd5']> {
  const r = new RowsReader(bytes, malformed);
  r.at = rows.at;
  const md5s: NonNullable<PackageData['contentMd5']> = {};
  for (let i = 0; i < rows.count; i++) {
    row(r, 3);
    const path = r.binText('latin1');
    md5s[path] = { sha256: r.binText('hex', 32), md5: r.binText('hex', 16) };
  }
  return md5s;
}

/** What packagedPaths knows of package data read from a baseline whose files are not decoded yet. */
interface Undecoded {
  decodePaths(): BytePath[];
  /** The file row at `path`, found by its sorted paths; undefined when none; null when the rows are not sorted. */
  row(path: BytePath): PackageData['files'][string] | undefined | null;
}
const undecoded = new WeakMap<PackageData, Undecoded>();

/**
 * The package data with `files` and `contentMd5` decoded on first read: each
 * is a property that, read (or assigned), becomes a plain one holding its
 * value, so the object looks and behaves like one decoded at once.
 */
export function lazyPackageData(bytes: Buffer, eager: Pick<PackageData, 'manager' | 'packages' | 'dbFiles'>, files: Rows, md5s: Rows | undefined): PackageData {
  const out = { manager: eager.manager, packages: eager.packages } as PackageData;
  let index: ReturnType<typeof decodePaths> | undefined;
  const names = seenTexts();
  const state: Undecoded = {
    decodePaths: () => (index ??= decodePaths(bytes, files)).paths,
    row: (path) => {
      const { paths, starts, sorted } = (index ??= decodePaths(bytes, files));
      if (!sorted) return null;
      const i = lowerBound(paths, path);
      if (paths[i] !== path) return undefined;
      const r = new RowsReader(bytes, malformed);
      r.at = starts[i]!;
      row(r, 4);
      r.passBin('latin1');
      return fileRecord(r, names);
    },
  };
  undecoded.set(out, state);
  // Once files is decoded or assigned, its keys are the paths.
  lazily(out, 'files', () => decodeFiles(bytes, files, index?.paths), () => undecoded.delete(out));
  out.dbFiles = eager.dbFiles;
  if (md5s) {
    lazily(out, 'contentMd5', () => decodeMd5s(bytes, md5s), () => md5Undecoded.delete(out));
    let rows: Md5Rows | undefined | null = null;
    md5Undecoded.set(out, () => (rows === null ? (rows = decodeMd5Rows(bytes, md5s)) : rows));
  }
  return out;
}

function lazily<K extends 'files' | 'contentMd5'>(o: PackageData, key: K, decode: () => PackageData[K], settled?: () => void): void {
  const settle = (value: PackageData[K]) => {
    settled?.();
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(o, key, { get: () => settle(decode()), set: settle, enumerable: true, configurable: true });
}

/**
 * The paths of the package data's files, sorted by bytes as the baseline
 * writes them (any other package data: in its files' order). From a baseline
 * not yet decoded, the paths alone are: what a scan keeps entries for.
 */
export function packagedPaths(p: PackageData | undefined): BytePath[] {
  if (!p) return [];
  const rows = undecoded.get(p);
  return rows ? rows.decodePaths().slice() : Object.keys(p.files);
}

/**
 * The package data's record of one path: from a baseline not yet decoded,
 * that row alone, found among the sorted paths (triage asks about a few
 * findings' owners, and decoding ~100,000 rows for them was ~0.1 s at the
 * end of a scan); otherwise, or for rows not sorted, files[path].
 */
export function packagedFile(p: PackageData, path: BytePath): PackageData['files'][string] | undefined {
  const found = undecoded.get(p)?.row(path);
  return found === null || found === undefined && !undecoded.has(p) ? p.files[path] : found;
}
