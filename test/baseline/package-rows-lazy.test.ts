/**
 * A baseline's package data is checked whole when it is opened, and its two
 * big sections (files, md5s) decoded when first read: the object must look
 * and behave like one decoded at once, whatever is read first, and the
 * files' paths alone (packagedPaths) must be the files' keys in row order.
 */
import { describe, expect, it } from 'vitest';
import { packPackages, unpackPackages } from '../../src/baseline/codec-packages.js';
import { packagedFile, packagedPaths, recordedMd5Rows } from '../../src/baseline/package-rows.js';
import { packr } from '../../src/baseline/msgpack.js';
import type { PackageData } from '../../src/types.js';

const hex = (n: number, c: string) => c.repeat(n * 2);

function sample(): PackageData {
  const p: PackageData = { manager: 'dpkg', packages: [{ name: 'bash', version: '5.2', arch: 'amd64' }], files: {}, dbFiles: {}, contentMd5: {} };
  const paths = ['/bin/bash', '/usr/bin/a', '/usr/bin/a-b', '/usr/bin/a/x', '/opt/caf\xe9', '/x\xff'];
  paths.forEach((path, i) => {
    p.files[path] = i % 2 ? { pkg: 'bash' } : { pkg: `pkg${i}:amd64`, digest: hex(16, String(i)), algo: 'md5' };
    if (i % 2 === 0) p.contentMd5![path] = { sha256: hex(32, 'a'), md5: hex(16, String(i)) };
  });
  p.dbFiles['/var/lib/dpkg/status'] = hex(32, 'b');
  return p;
}

const fromBytes = (p: PackageData) => unpackPackages(Buffer.from(packr.pack(packPackages(p))))!;
const sortedKeys = (o: object) => Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('package data decoded when first read', () => {
  it('gives the recorded md5s as rows from their bytes, the same as from the decoded object, without decoding it', () => {
    const p = sample();
    const read = fromBytes(p);
    const rows = recordedMd5Rows(read)!;
    expect(Object.getOwnPropertyDescriptor(read, 'contentMd5')!.get).toBeDefined();
    const plain = recordedMd5Rows(p)!;
    expect(rows.paths).toEqual(sortedKeys(p.contentMd5!));
    expect(rows).toEqual(plain);
    rows.paths.forEach((path, i) => {
      expect(rows.sha256.toString('hex', 32 * i, 32 * i + 32)).toBe(p.contentMd5![path]!.sha256);
      expect(rows.md5.toString('hex', 16 * i, 16 * i + 16)).toBe(p.contentMd5![path]!.md5);
    });
    // Rows out of path order (a forged baseline): taken from the decoded object, sorted.
    const packed = packPackages(p) as unknown[][];
    packed[4]!.reverse();
    expect(recordedMd5Rows(unpackPackages(Buffer.from(packr.pack(packed)))!)).toEqual(plain);
  });

  it('gives one path\'s record without decoding the files, the same as files[path]; rows out of order are decoded whole', () => {
    const p = sample();
    const read = fromBytes(p);
    const stillLazy = () => Object.getOwnPropertyDescriptor(read, 'files')!.get !== undefined;
    for (const path of Object.keys(p.files)) expect(packagedFile(read, path)).toEqual(p.files[path]);
    for (const absent of ['/usr/bin', '/usr/bin/a/', '/bin/bas', '/zzz', '']) expect(packagedFile(read, absent)).toBeUndefined();
    expect(stillLazy()).toBe(true);
    expect(read.files).toEqual(p.files);
    expect(packagedFile(read, '/usr/bin/a-b')).toEqual(p.files['/usr/bin/a-b']);
    // A forged baseline's rows out of path order: no search over them, the files decoded and looked up.
    const packed = packPackages(p) as unknown[][];
    packed[2]!.reverse();
    const unsorted = unpackPackages(Buffer.from(packr.pack(packed)))!;
    for (const path of Object.keys(p.files)) expect(packagedFile(unsorted, path)).toEqual(p.files[path]);
    expect(Object.getOwnPropertyDescriptor(unsorted, 'files')!.get).toBeUndefined();
  });

  it('gives the files paths alone first, then the same files and md5s as written', () => {
    const p = sample();
    const read = fromBytes(p);
    expect(packagedPaths(read)).toEqual(sortedKeys(p.files));
    expect(read.files).toEqual(p.files);
    expect(Object.keys(read.files)).toEqual(sortedKeys(p.files));
    expect(read.contentMd5).toEqual(p.contentMd5);
    // Decoded now: the paths come from the files themselves.
    expect(packagedPaths(read)).toEqual(sortedKeys(p.files));
  });

  it('behaves as a plain object: spread, JSON, keys, assignment, a structured clone', () => {
    const p = sample();
    expect({ ...fromBytes(p) }).toEqual(p);
    expect(JSON.parse(JSON.stringify(fromBytes(p)))).toEqual(JSON.parse(JSON.stringify({ ...p, files: Object.fromEntries(sortedKeys(p.files).map((k) => [k, p.files[k]])) })));
    expect(Object.keys(fromBytes(p))).toEqual(['manager', 'packages', 'files', 'dbFiles', 'contentMd5']);
    expect(structuredClone(fromBytes(p))).toEqual(p);
    const assigned = fromBytes(p);
    assigned.files = {};
    assigned.contentMd5 = undefined;
    expect([assigned.files, assigned.contentMd5]).toEqual([{}, undefined]);
    expect(packagedPaths(assigned)).toEqual([]);
  });

  it('gives the keys of package data not read from a baseline', () => {
    const p = sample();
    expect(packagedPaths(p)).toEqual(Object.keys(p.files));
    expect(packagedPaths(undefined)).toEqual([]);
  });
});
