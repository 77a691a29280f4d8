/** The package data in the baseline body: rows in path order, checked on the way back. */
import type { PackageData } from '../types.js';
import { RowsReader } from './rows-reader.js';
import { lazyPackageData, malformed, passFileRows, passMd5Rows, row } from './package-rows.js';

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
 * `bytes` must hold that one value and nothing after it, and must not change
 * after (a baseline's are its reader's own copy, made in the verified pass).
 *
 * Every byte is checked here, but the two big sections, ~100,000 rows each on
 * a whole host, are decoded only when first read (package-rows.ts): a scan
 * asks the files' paths of them before its walk, and their owners and digests
 * only where a finding needs them.
 */
export function unpackPackages(bytes: Buffer): PackageData | undefined {
  const r = new RowsReader(bytes, malformed);
  if (r.nil()) {
    if (!r.done) throw malformed();
    return undefined;
  }
  const fields = r.array();
  if (fields < 3) throw malformed();
  const manager = r.text();
  if (manager !== 'rpm' && manager !== 'dpkg') throw malformed();
  const packages: PackageData['packages'] = [];
  for (let n = r.array(); n > 0; n--) {
    row(r, 3);
    packages.push({ name: r.text(), version: r.text(), arch: r.text() });
  }
  const files = passFileRows(r);
  const dbFiles: PackageData['dbFiles'] = {};
  if (fields >= 4 && !r.nil()) {
    for (let n = r.array(); n > 0; n--) {
      row(r, 2);
      const path = r.binText('latin1');
      dbFiles[path] = r.text();
    }
  }
  const md5s = fields >= 5 && !r.nil() ? passMd5Rows(r) : undefined;
  for (let n = fields - 5; n > 0; n--) r.skip();
  if (!r.done) throw malformed();
  return lazyPackageData(bytes, { manager, packages, dbFiles }, files, md5s);
}
