/** The package data in the baseline body: rows in path order, checked on the way back. */
import type { PackageData } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { RowsReader } from './rows-reader.js';

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

/**
 * The package data from its bytes (packPackages' value as msgpackr wrote it),
 * exactly as a msgpack decoder would give it and checked the same way:
 * [manager, packages, files, dbFiles?, contentMd5?, ...anything appended later].
 * `bytes` must hold that one value and nothing after it.
 */
export function unpackPackages(bytes: Buffer): PackageData | undefined {
  const malformed = () => new BaselineFormatError('baseline package data is malformed');
  const r = new RowsReader(bytes, malformed);
  if (r.nil()) {
    if (!r.done) throw malformed();
    return undefined;
  }
  const fields = r.array();
  if (fields < 3) throw malformed();
  const manager = r.text();
  if (manager !== 'rpm' && manager !== 'dpkg') throw malformed();
  const row = (width: number) => {
    if (r.array() !== width) throw malformed();
  };
  const out: PackageData = { manager, packages: [], files: {}, dbFiles: {} };
  for (let n = r.array(); n > 0; n--) {
    row(3);
    out.packages.push({ name: r.text(), version: r.text(), arch: r.text() });
  }
  for (let n = r.array(); n > 0; n--) {
    row(4);
    const path = r.binText('latin1');
    const pkg = r.text();
    const digest = r.textOrNull();
    const algo = r.textOrNull();
    out.files[path] = digest ? (algo ? { pkg, digest, algo } : { pkg, digest }) : algo ? { pkg, algo } : { pkg };
  }
  if (fields >= 4 && !r.nil()) {
    for (let n = r.array(); n > 0; n--) {
      row(2);
      const path = r.binText('latin1');
      out.dbFiles[path] = r.text();
    }
  }
  if (fields >= 5 && !r.nil()) {
    const md5s: NonNullable<PackageData['contentMd5']> = (out.contentMd5 = {});
    for (let n = r.array(); n > 0; n--) {
      row(3);
      const path = r.binText('latin1');
      md5s[path] = { sha256: r.binText('hex', 32), md5: r.binText('hex', 16) };
    }
  }
  for (let n = fields - 5; n > 0; n--) r.skip();
  if (!r.done) throw malformed();
  return out;
}
