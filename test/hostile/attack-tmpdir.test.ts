/**
 * Attack (tired operator): TMPDIR points into the scanned root, as in
 * `TMPDIR=/mnt/disk/tmp driftscan scan ... --root /mnt/disk`. driftscan made
 * the package tools' scratch directories there (the view's mount point, and
 * for rpm a copy of the whole database), changing the evidence: the root's
 * tmp directory got a new mtime, and the image's rpm database was written
 * back into the image. The scratch directories now go elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

const OLD = new Date('2001-02-03T04:05:06Z');

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-tmpdir-keys-'), 'k'));
});

function dpkgRoot(): string {
  const work = tempDir('ds-tmpdir-dpkg-');
  const root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n' } }));
  return root;
}

function rpmRoot(): string {
  const work = tempDir('ds-tmpdir-rpm-');
  const root = newRpmRoot(work);
  rpmInRoot(root, '-i', '--nodeps', buildRpm(work, {
    name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n' }, filesSection: ['/usr/bin/hello'],
  }));
  return root;
}

/** The root's tmp directory as lstat shows it (not listed: that would set its atime; a new entry changes its mtime). */
function tmpState(root: string): string {
  const st = fs.lstatSync(path.join(root, 'tmp'), { bigint: true });
  return `${st.mtimeNs} ${st.ctimeNs} ${st.atimeNs} ${st.nlink}`;
}

describe.each([
  ['dpkg', dpkgRoot],
  ['rpm', rpmRoot],
])('TMPDIR inside --root (%s)', (_manager, makeRoot) => {
  it('the scan makes nothing in the root, checks the packages, and is clean', () => {
    const root = makeRoot();
    const out = path.join(tempDir('ds-tmpdir-out-'), 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', out]).code).toBe(0);
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.utimesSync(path.join(root, 'tmp'), OLD, OLD);
    const before = tmpState(root);

    const r = driftscan(['scan', out, '--pubkey', keys.pub, '--root', root], { TMPDIR: path.join(root, 'tmp') });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/# driftscan: clean: .* 0 not checked/);
    expect(r.code).toBe(0);
    expect(tmpState(root)).toBe(before);
  });
});
