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

export function unpackPackages(raw: unknown): PackageData | undefined {
  if (raw === null || raw === undefined) return undefined;
  const malformed = () => new BaselineFormatError('baseline package data is malformed');
  if (!Array.isArray(raw)) throw malformed();
  const [manager, packages, files, dbFiles, contentMd5] = raw as unknown[];
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
  if (contentMd5 !== undefined && contentMd5 !== null) {
    const bytes = (v: unknown, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;
    // Views, not copies: ~100,000 rows on a whole host.
    const text = (v: Uint8Array, enc: BufferEncoding) => Buffer.from(v.buffer, v.byteOffset, v.length).toString(enc);
    out.contentMd5 = {};
    for (const [path, sha256, md5] of rows(contentMd5, 3)) {
      if (!(path instanceof Uint8Array) || !bytes(sha256, 32) || !bytes(md5, 16)) throw malformed();
      out.contentMd5[text(path, 'latin1')] = { sha256: text(sha256, 'hex'), md5: text(md5, 'hex') };
    }
  }
  return out;
}
