/**
 * A baseline of a subtree records the package data of the paths it walks
 * only (issue 13, goal 5), with the real dpkg: owners and digests exactly for
 * the covered paths (merged-/usr names included), the installed set and the
 * database's digests whole, and a scan of it triages as before.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { composePolicy, takeBaseline } from '../../src/baseline/build.js';
import { readPackageData } from '../../src/pkg/index.js';
import { packageScope } from '../../src/pkg/package-scope.js';
import { isUnder } from '../../src/paths.js';
import { buildDeb, hash, installDeb, newDpkgRoot } from './build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { writeAptIndex } from './patch-day.js';

const SUBTREES = ['/usr/share/other', '/usr/lib/libpkg'];
let work: string;
let root: string;

beforeAll(() => {
  work = tempDir('ds-subtree-pkg-');
  root = newDpkgRoot(work);
  // Merged /usr: dpkg records /lib/libpkg/x.so for the file the walk finds at /usr/lib/libpkg/x.so.
  fs.mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  fs.symlinkSync('usr/lib', path.join(root, 'lib'));
  installDeb(root, buildDeb(work, {
    name: 'hello', version: '1.0',
    files: { '/usr/bin/hello': 'hello\n', '/usr/share/hello/a': 'a\n', '/etc/hello.conf': 'x=1\n' },
    conffiles: ['/etc/hello.conf'],
  }));
  installDeb(root, buildDeb(work, { name: 'other', version: '1.0', files: { '/usr/share/other/file': 'other v1\n', '/usr/share/otherwise/f': 'near\n' } }));
  installDeb(root, buildDeb(work, { name: 'libpkg', version: '1.0', files: { '/lib/libpkg/x.so': 'lib\n' } }));
}, 30_000);

describe('package data of a subtree baseline', () => {
  it('covers exactly the walked paths, merged-/usr names included; the installed set and database digests stay whole', async () => {
    const whole = await readPackageData(root, 'dpkg');
    const { baseline } = await takeBaseline({
      root, paths: SUBTREES, packages: 'dpkg', signingKey: generateKeyPairSync('ed25519').privateKey,
    });
    const got = baseline.packages!;
    const walked = (p: string) => SUBTREES.some((s) => isUnder(p, s) || isUnder('/usr' + p, s));
    const expected = Object.fromEntries(Object.entries(whole.files).filter(([p]) => p.startsWith('/lib/') ? walked(p) : SUBTREES.some((s) => isUnder(p, s))));
    expect(got.files).toEqual(expected);
    expect(Object.keys(got.files).sort()).toEqual(['/lib/libpkg', '/lib/libpkg/x.so', '/usr/share/other', '/usr/share/other/file']);
    expect(got.files['/usr/share/other/file']).toEqual({ pkg: 'other', digest: hash('md5', 'other v1\n'), algo: 'md5' });
    expect(got.packages).toEqual(whole.packages);
    expect(got.dbFiles).toEqual(whole.dbFiles);
  });

  it('a baseline of the default policy (no start paths) records every packaged path, as before', async () => {
    const whole = await readPackageData(root, 'dpkg');
    const { baseline } = await takeBaseline({ root, packages: 'dpkg', signingKey: generateKeyPairSync('ed25519').privateKey });
    const { contentMd5, ...data } = baseline.packages!;
    expect(data).toEqual(whole);
    // The walk's md5 of each packaged file, for driftscan's own dpkg verify.
    expect(contentMd5!['/usr/share/other/file']).toEqual({ md5: hash('md5', readFileSync(path.join(root, 'usr/share/other/file'))), sha256: hash('sha256', readFileSync(path.join(root, 'usr/share/other/file'))) });
    expect(packageScope(root, composePolicy({ paths: ['/usr'] }))?.needles.sort()).toEqual(['/lib', '/usr']);
    expect(packageScope(root, composePolicy({ paths: ['/'] }))).toBeUndefined();
  });

  it('a scan of it still reports a tampered file as unexplained, and an upgrade explains it', () => {
    const keys = path.join(work, 'k');
    expect(driftscan(['keygen', '--out', keys]).code).toBe(0);
    const file = path.join(work, 'sub.dsb');
    const b = driftscan(['baseline', ...SUBTREES, '--root', root, '--key', path.join(keys, 'driftscan.key'), '-o', file]);
    expect(b.code, b.stderr).toBe(0);
    const scan = () => {
      const r = driftscan(['scan', file, '--pubkey', path.join(keys, 'driftscan.pub'), '--root', root, '--format', 'json']);
      expect(r.code, r.stderr).toBeLessThan(16);
      return JSON.parse(r.stdout).findings as Array<{ source: string; path: string; status: string; package?: string; triage?: string }>;
    };
    expect(scan()).toEqual([]);

    fs.writeFileSync(path.join(root, 'usr/share/other/file'), 'trojan!!!\n');
    fs.writeFileSync(path.join(root, 'usr/lib/libpkg/x.so'), 'evil\n');
    const tampered = scan().filter((f) => f.source === 'baseline');
    // (/lib/libpkg is dpkg's name for it, but this walk saw no /lib link to tell triage so: unowned, as before.)
    expect(tampered.map((f) => [f.path, f.status, f.package, f.triage])).toEqual([
      ['/usr/lib/libpkg/x.so', 'changed', 'unowned', 'unexplained'],
      ['/usr/share/other/file', 'changed', 'other', 'unexplained'],
    ]);

    installDeb(root, buildDeb(work, { name: 'other', version: '1.1', files: { '/usr/share/other/file': 'other v2, longer\n', '/usr/share/otherwise/f': 'near\n' } }));
    writeAptIndex(root, [['other', '1.1']]);
    const after = scan().filter((f) => f.source === 'baseline' && f.path === '/usr/share/other/file');
    expect(after.map((f) => [f.status, f.package, f.triage])).toEqual([['changed', 'other', 'explained']]);
  });
});
