/** The package data in the baseline body: rows in path order, checked on the way back. */
import type { PackageData } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { isText } from './msgpack.js';

export function packPackages(p: PackageData | undefined): unknown {
  if (!p) return null;
  const files = Object.keys(p.files).sort().map((path) => {
    const f = p.files[path]!;
    return [Buffer.from(path, 'latin1'), f.pkg, f.digest ?? null, f.algo ?? null];
  });
  const dbFiles = Object.keys(p.dbFiles).sort().map((path) => [Buffer.from(path, 'latin1'), p.dbFiles[path]]);
  const packed = [p.manager, p.packages.map((x) => [x.name, x.version, x.arch]), files, dbFiles];
  // Appended, so an older reader (which takes the first four) still reads the rest.
  if (p.contentMd5) {
    const md5s = p.contentMd5;
    packed.push(Object.keys(md5s).sort().map((path) => [
      Buffer.from(path, 'latin1'), Buffer.from(md5s[path]!.sha256, 'hex'), Buffer.from(md5s[path]!.md5, 'hex'),
    ]));
  }
  return packed;
}

/** latin1 text of a decoded bin (a Buffer from msgpackr: no copy). */
function latin1(v: Uint8Array): string {
  return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length)).toString('latin1');
}

function hex(v: Uint8Array): string {
  return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length)).toString('hex');
}

/**
 * Decodes ~100,000 rows each of files and md5s on a whole host, on every scan
 * before its walk starts: plain loops and one object literal per row, no
 * per-row closures or copies.
 */
export function unpackPackages(raw: unknown): PackageData | undefined {
  if (raw === null || raw === undefined) return undefined;
  const malformed = () => new BaselineFormatError('baseline package data is malformed');
  if (!Array.isArray(raw)) throw malformed();
  const [manager, packages, files, dbFiles, contentMd5] = raw as unknown[];
  const rows = (v: unknown, width: number): unknown[][] => {
    if (!Array.isArray(v)) throw malformed();
    for (let i = 0; i < v.length; i++) if (!Array.isArray(v[i]) || (v[i] as unknown[]).length !== width) throw malformed();
    return v as unknown[][];
  };
  const optText = (v: unknown): v is string | null => v === null || isText(v);
  if (manager !== 'rpm' && manager !== 'dpkg') throw malformed();
  const out: PackageData = { manager, packages: [], files: {}, dbFiles: {} };
  for (const [name, version, arch] of rows(packages, 3)) {
    if (!isText(name) || !isText(version) || !isText(arch)) throw malformed();
    out.packages.push({ name, version, arch });
  }
  const fileRows = rows(files, 4);
  for (let i = 0; i < fileRows.length; i++) {
    const [path, pkg, digest, algo] = fileRows[i]!;
    if (!(path instanceof Uint8Array) || !isText(pkg) || !optText(digest) || !optText(algo)) throw malformed();
    out.files[latin1(path)] = digest ? (algo ? { pkg, digest, algo } : { pkg, digest }) : algo ? { pkg, algo } : { pkg };
  }
  for (const [path, digest] of rows(dbFiles ?? [], 2)) {
    if (!(path instanceof Uint8Array) || !isText(digest)) throw malformed();
    out.dbFiles[latin1(path)] = digest;
  }
  if (contentMd5 !== undefined && contentMd5 !== null) {
    const bytes = (v: unknown, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;
    const md5Rows = rows(contentMd5, 3);
    const md5s: NonNullable<PackageData['contentMd5']> = (out.contentMd5 = {});
    for (let i = 0; i < md5Rows.length; i++) {
      const [path, sha256, md5] = md5Rows[i]!;
      if (!(path instanceof Uint8Array) || !bytes(sha256, 32) || !bytes(md5, 16)) throw malformed();
      md5s[latin1(path)] = { sha256: hex(sha256), md5: hex(md5) };
    }
  }
  return out;
}
