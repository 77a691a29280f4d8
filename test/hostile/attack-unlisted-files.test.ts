/**
 * Attack (intruder): take a package out of the database by hand and keep its
 * files. The package tool then checks only what the database lists, and
 * triage forgives the database edit since "a package was removed": a trojan
 * in a packaged file the policy does not walk (/srv/app/run) scanned clean,
 * exit 0. With dpkg: its status stanza and info files deleted; with rpm:
 * `rpm -e --justdb`. A real removal (the files go too) still scans clean.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-unlisted-keys-'), 'k'));
});

const FILES = { '/usr/bin/hello': 'hello v1\n' };
const APP = { '/srv/app/run': 'app v1\n' };

function dpkgRoot(): string {
  const work = tempDir('ds-unlisted-dpkg-');
  const root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files: FILES }));
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: APP }));
  return root;
}

function rpmRoot(): string {
  const work = tempDir('ds-unlisted-rpm-');
  const root = newRpmRoot(work);
  rpmInRoot(root, '-i', '--nodeps', buildRpm(work, { name: 'hello', version: '1.0', files: FILES, filesSection: ['/usr/bin/hello'] }));
  rpmInRoot(root, '-i', '--nodeps', buildRpm(work, { name: 'app', version: '1.0', files: APP, filesSection: ['/srv/app/run'] }));
  return root;
}

/** dpkg's record of `app` deleted by hand, its files left in place. */
function forgetDpkgApp(root: string): void {
  const status = path.join(root, 'var/lib/dpkg/status');
  const stanzas = fs.readFileSync(status, 'utf8').trim().split('\n\n').filter((s) => !s.startsWith('Package: app\n'));
  fs.writeFileSync(status, `${stanzas.join('\n\n')}\n`);
  const info = path.join(root, 'var/lib/dpkg/info');
  for (const name of fs.readdirSync(info)) if (name.startsWith('app.')) fs.rmSync(path.join(info, name));
}

function baseline(root: string): string {
  const file = path.join(tempDir('ds-unlisted-out-'), 'b.dsb');
  const r = driftscan(['baseline', '--root', root, '--key', keys.key, '-o', file]);
  expect(r.stderr).toMatch(/wrote .*2 (dpkg|rpm) packages/);
  expect(r.code).toBe(0);
  return file;
}

const scan = (file: string, root: string) => driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);

describe.each([
  ['dpkg', dpkgRoot, forgetDpkgApp],
  ['rpm', rpmRoot, (root: string) => void rpmInRoot(root, '-e', '--justdb', '--nodeps', 'app')],
])('%s: a package taken out of the database, its files kept', (manager, makeRoot, forget) => {
  it('a changed file it leaves behind is a finding, not clean', () => {
    const root = makeRoot();
    const file = baseline(root);
    fs.writeFileSync(path.join(root, 'srv/app/run'), 'app v1 with a trojan\n');
    forget(root);

    const r = scan(file, root);
    expect(r.stdout).toContain('# package removed: app 1.0');
    expect(r.stdout).toMatch(new RegExp(
      `^\\?\\?5\\?\\?\\?\\?\\?\\?    /srv/app/run  the package database no longer lists this file, but it is still there and differs from what app installed  outside policy  \\[${manager} app unexplained\\]$`, 'm'));
    expect(r.stdout).toMatch(/# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 0 not checked, 1 package findings/);
    expect(r.code).toBe(4);
  });

  it('unchanged, the file it leaves behind is no finding', () => {
    const root = makeRoot();
    const file = baseline(root);
    forget(root);
    const r = scan(file, root);
    expect(r.stdout).toMatch(/# driftscan: clean: 0 changed, 0 missing, 0 added, 0 not checked, 0 package findings/);
    expect(r.code).toBe(0);
  });
});

describe('dpkg: a real removal', () => {
  it('takes the files with it and scans clean', () => {
    const root = dpkgRoot();
    const file = baseline(root);
    execFileSync('/usr/bin/dpkg', [`--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--force-not-root', '--force-script-chrootless', '--log=/dev/null', '-r', 'app'], { stdio: 'pipe' });
    expect(fs.existsSync(path.join(root, 'srv/app/run'))).toBe(false);
    const r = scan(file, root);
    expect(r.stdout).toContain('# package removed: app 1.0');
    expect(r.stdout).toMatch(/# driftscan: clean: /);
    expect(r.code).toBe(0);
  });
});
