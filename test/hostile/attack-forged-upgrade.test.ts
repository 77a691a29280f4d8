/**
 * Attack (intruder): forge an upgrade in the database. Trojan a packaged file
 * the policy does not walk (/srv/app/run), write its md5 into app's md5sums
 * and bump app's version in the status file. dpkg --verify then agrees with
 * the trojan, and "the package was upgraded" forgave the new digest: the scan
 * was clean, exit 0. An upgrade to a version no configured repository offers
 * vouches for nothing, so the new digest is a finding; a root whose apt lists
 * offer that version (a real upgrade from its repository) stays clean.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-forged-keys-'), 'k'));
});

const TROJAN = 'app v1 with a trojan\n';

/** A dpkg root with `app 1.0` owning /srv/app/run, baselined with the default policy (which does not walk /srv). */
function rootAndBaseline(): { root: string; file: string } {
  const work = tempDir('ds-forged-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'image\n');
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: { '/srv/app/run': 'app v1\n' } }));
  const file = path.join(work, 'b.dsb');
  const r = driftscan(['baseline', '--root', root, '--key', keys.key, '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  return { root, file };
}

/** The trojan, its md5 in app's md5sums, and app's version bumped to 1.1 in the status file. */
function forgeUpgrade(root: string): void {
  fs.writeFileSync(path.join(root, 'srv/app/run'), TROJAN);
  const md5 = crypto.createHash('md5').update(TROJAN).digest('hex');
  const sums = path.join(root, 'var/lib/dpkg/info/app.md5sums');
  fs.writeFileSync(sums, `${md5}  srv/app/run\n`);
  const status = path.join(root, 'var/lib/dpkg/status');
  const text = fs.readFileSync(status, 'utf8');
  const bumped = text.replace(/(Package: app\n(?:.+\n)*?Version: )1\.0/, '$11.1');
  expect(bumped).not.toBe(text);
  fs.writeFileSync(status, bumped);
}

/** An apt index in the root that offers app at VERSION. */
function offer(root: string, version: string): void {
  const lists = path.join(root, 'var/lib/apt/lists');
  fs.mkdirSync(lists, { recursive: true });
  fs.writeFileSync(path.join(lists, 'deb.example_dists_stable_main_binary-amd64_Packages'),
    `Package: app\nVersion: ${version}\nArchitecture: all\n\n`);
}

const scan = (file: string, root: string) => driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);

describe('a forged upgrade in the dpkg database', () => {
  it('to a version no configured repository offers: the new recorded digest is a finding, not clean', () => {
    const { root, file } = rootAndBaseline();
    offer(root, '1.0');
    forgeUpgrade(root);
    const r = scan(file, root);
    expect(r.stdout).toMatch(/^changed {5}\/srv\/app\/run {2}the package database records a different digest for this file although app changed only to a version it cannot vouch for \(package not from a configured repository\): the database may have been edited to hide a change {2}\[dpkg app unexplained\]$/m);
    expect(r.stdout).toMatch(/# driftscan: NOT clean: .* 1 package findings/);
    expect(r.code & 4).toBe(4);
  });

  it('with no repository index at all: the same finding (nothing vouches for the new version)', () => {
    const { root, file } = rootAndBaseline();
    forgeUpgrade(root);
    const r = scan(file, root);
    expect(r.stdout).toMatch(/\/srv\/app\/run .*cannot vouch for .*\[dpkg app unexplained\]$/m);
    expect(r.code & 4).toBe(4);
  });

  it('a version the root\'s repository offers is an upgrade like any other: no finding for the digest', () => {
    const { root, file } = rootAndBaseline();
    offer(root, '1.1');
    forgeUpgrade(root);
    const r = scan(file, root);
    expect(r.stdout).not.toMatch(/\/srv\/app\/run/);
  });
});
