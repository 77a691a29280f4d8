/**
 * Package paths and database locations are resolved inside the scanned root
 * (chroot semantics), never through the scanning host's `/`: a packaged file
 * turned into a link to /proc/kmsg is never read (dpkg would read the host's
 * kernel log until the timeout), an absolute link is followed inside the root,
 * a var/lib/dpkg linked to /var/lib/dpkg is an error for the package half (not
 * the host's packages recorded as the image's), and an rpm database under
 * /usr/lib/sysimage/rpm with /var/lib/rpm linked to it (Fedora 36+, RHEL 10)
 * is found inside the root. Real dpkg and rpm throughout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PackageToolError } from '../../src/errors.js';
import { detectManagers, readPackageData, verifyPackages } from '../../src/pkg/index.js';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

const OLD = new Date('2001-02-03T04:05:06Z');

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-keys-'), 'k'));
});

/** Two packages: `links` (whose files the tests turn into links) and `other` (left to dpkg). */
function dpkgRoot(): string {
  const work = tempDir('ds-links-dpkg-');
  const root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, {
    name: 'links', version: '1.0',
    files: { '/usr/bin/kmsg': 'kmsg v1\n', '/usr/share/links/host': 'ID=driftscan-image\n', '/usr/share/links/same': 'same\n', '/usr/share/links/plain': 'plain\n' },
  }));
  installDeb(root, buildDeb(work, { name: 'other', version: '1.0', files: { '/usr/bin/other': 'other v1\n' } }));
  return root;
}

function relink(root: string, packaged: string, target: string): void {
  fs.rmSync(path.join(root, packaged));
  fs.symlinkSync(target, path.join(root, packaged));
}

const shown = (f: { path: string; status: string; flags?: string; package?: string }) => [f.status, f.flags ?? '', f.path, f.package];

describe('dpkg: packaged paths are resolved inside the root', () => {
  it('a link to /proc/kmsg is never read; absolute links are followed inside the root; the rest is still verified by dpkg', async () => {
    const root = dpkgRoot();
    relink(root, 'usr/bin/kmsg', '/proc/kmsg');
    // The host's /etc/os-release differs from the packaged text; the root's matches it.
    expect(fs.readFileSync('/etc/os-release', 'latin1')).not.toBe('ID=driftscan-image\n');
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=driftscan-image\n');
    relink(root, 'usr/share/links/host', '/etc/os-release');
    fs.writeFileSync(path.join(root, 'etc/same'), 'not the same\n');
    relink(root, 'usr/share/links/same', '/etc/same');
    fs.appendFileSync(path.join(root, 'usr/bin/other'), 'trojan\n');
    const data = await readPackageData(root, 'dpkg');

    // A long timeout: had /proc/kmsg been read, the run would end only by it, incomplete.
    const result = await verifyPackages(root, 'dpkg', data, { timeoutMs: 60_000, verifier: 'tool' });
    expect(result.incomplete).toBeUndefined();
    expect(result.findings.map(shown)).toEqual([
      ['missing', '', '/usr/bin/kmsg', 'links'], // the root has no /proc/kmsg
      ['changed', '??5??????', '/usr/share/links/same', 'links'], // the root's /etc/same, not the host's
      ['changed', '??5??????', '/usr/bin/other', 'other'], // dpkg's own finding
    ]);
    expect(result.diagnostics.join('\n')).toMatch(/dpkg --verify was not run for links:/);

    // driftscan's own verify, as dpkg would inside the root: each link is not a regular file (M);
    // the root has no /proc/kmsg (5 untested), its /etc/os-release matches, its /etc/same does not.
    const native = await verifyPackages(root, 'dpkg', data, { timeoutMs: 60_000 });
    expect(native.incomplete).toBeUndefined();
    expect(native.findings.map(shown).sort()).toEqual([
      ['changed', '?M???????', '/usr/bin/kmsg', 'links'],
      ['changed', '?M.??????', '/usr/share/links/host', 'links'],
      ['changed', '?M5??????', '/usr/share/links/same', 'links'],
      ['changed', '??5??????', '/usr/bin/other', 'other'],
    ].sort());
  });

  it('a link into the root\'s own /proc is not read either: not checked, and said so', async () => {
    const root = dpkgRoot();
    const file = path.join(tempDir('ds-links-out-'), 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.mkdirSync(path.join(root, 'proc'));
    fs.writeFileSync(path.join(root, 'proc/kmsg'), 'kmsg v1\n');
    fs.lutimesSync(path.join(root, 'proc/kmsg'), OLD, OLD);
    relink(root, 'usr/bin/kmsg', '../../proc/kmsg');
    const data = await readPackageData(root, 'dpkg');
    const result = await verifyPackages(root, 'dpkg', data, { timeoutMs: 60_000 });
    expect(result.findings).toMatchObject([
      { path: '/usr/bin/kmsg', status: 'untested', flags: '?????????', package: 'links', untested: { md5: 'leads to /proc/kmsg in the root, not read' } },
    ]);
    expect(fs.lstatSync(path.join(root, 'proc/kmsg')).atime).toEqual(OLD);

    // Through the CLI: counted as not checked (exit bit 8), never clean.
    const scan = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
    expect(scan.stdout).not.toMatch(/^# driftscan: clean/m);
    expect(scan.code & 8).toBe(8);
  });
});

describe('dpkg: the database location is resolved inside the root', () => {
  it('var/lib/dpkg linked to /var/lib/dpkg: an error for the package half, never the host\'s packages', async () => {
    const root = dpkgRoot();
    const file = path.join(tempDir('ds-links-out-'), 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.renameSync(path.join(root, 'var/lib/dpkg'), path.join(root, 'var/lib/dpkg.real'));
    fs.symlinkSync('/var/lib/dpkg', path.join(root, 'var/lib/dpkg'));

    expect(detectManagers(root)).toContain('dpkg');
    await expect(readPackageData(root, 'dpkg')).rejects.toThrow(PackageToolError);
    await expect(readPackageData(root, 'dpkg')).rejects.toThrow(/\/var\/lib\/dpkg in the root cannot be resolved inside it \(ELOOP\)/);

    const b = driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', `${file}.2`, '--packages', 'dpkg']);
    expect(b.code).toBe(24);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/ELOOP/);

    const scan = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root, '--format', 'json']);
    const doc = JSON.parse(scan.stdout);
    expect(scan.code & 8).toBe(8);
    expect(doc.diagnostics.join('\n')).toMatch(/ELOOP/);
    expect(doc.packages?.changes?.installed ?? []).toEqual([]);
  });

  it('var/lib/dpkg linked elsewhere inside the root is followed there', async () => {
    const root = dpkgRoot();
    fs.renameSync(path.join(root, 'var/lib/dpkg'), path.join(root, 'srv-dpkg'));
    fs.symlinkSync('/srv-dpkg', path.join(root, 'var/lib/dpkg'));
    const data = await readPackageData(root, 'dpkg');
    expect(data.packages.map((p) => p.name).sort()).toEqual(['links', 'other']);
    expect(Object.keys(data.dbFiles)).toContain('/srv-dpkg/status');
    fs.appendFileSync(path.join(root, 'usr/bin/other'), 'trojan\n');
    const result = await verifyPackages(root, 'dpkg', data);
    expect(result.findings.map(shown)).toEqual([['changed', '??5??????', '/usr/bin/other', 'other']]);
  });
});

describe('rpm: the database under /usr/lib/sysimage/rpm (Fedora 36+, RHEL 10)', () => {
  function sysimageRoot(link: string | undefined): string {
    const work = tempDir('ds-links-rpm-');
    const root = newRpmRoot(work);
    rpmInRoot(root, '-i', '--nodeps', '--noscripts', buildRpm(work, {
      name: 'fedish', version: '1.0', files: { '/usr/bin/fedish': 'fedish v1\n' }, filesSection: ['/usr/bin/fedish'],
    }));
    fs.mkdirSync(path.join(root, 'usr/lib/sysimage'), { recursive: true });
    fs.renameSync(path.join(root, 'var/lib/rpm'), path.join(root, 'usr/lib/sysimage/rpm'));
    if (link !== undefined) fs.symlinkSync(link, path.join(root, 'var/lib/rpm'));
    return root;
  }

  it.each([
    ['a relative link', '../../usr/lib/sysimage/rpm'],
    ['an absolute link (resolved inside the root, not on this host)', '/usr/lib/sysimage/rpm'],
    ['no /var/lib/rpm at all', undefined],
  ])('with %s: found, read, verified, and left unchanged', async (_, link) => {
    const root = sysimageRoot(link);
    expect(detectManagers(root)).toEqual(['rpm']);
    const db = path.join(root, 'usr/lib/sysimage/rpm');
    const before = fs.readdirSync(db).map((n) => [n, fs.statSync(path.join(db, n)).mtimeMs]);
    const data = await readPackageData(root, 'rpm');
    expect(data.packages.map((p) => p.name)).toEqual(['fedish']);
    expect(Object.keys(data.dbFiles)).toContain('/usr/lib/sysimage/rpm/rpmdb.sqlite');
    fs.appendFileSync(path.join(root, 'usr/bin/fedish'), 'trojan\n');
    const result = await verifyPackages(root, 'rpm', data);
    expect(result.findings.map((f) => [f.status, f.path, f.package])).toEqual([['changed', '/usr/bin/fedish', 'fedish']]);
    expect(result.findings[0]!.flags).toMatch(/^S\.5/);
    expect(fs.readdirSync(db).map((n) => [n, fs.statSync(path.join(db, n)).mtimeMs])).toEqual(before);
  });
});

describe('rpm: a packaged file that leads into /proc is not read', () => {
  it('its package is checked by digest inside the root, rpm -V checks the others', async () => {
    const work = tempDir('ds-links-rpmproc-');
    const root = newRpmRoot(work);
    rpmInRoot(root, '-i', '--nodeps', '--noscripts', buildRpm(work, {
      name: 'procish', version: '1.0',
      files: { '/usr/share/procish/kmsg': 'kmsg v1\n', '/usr/bin/procish': 'procish v1\n' },
      filesSection: ['/usr/share/procish', '/usr/bin/procish'],
    }));
    rpmInRoot(root, '-i', '--nodeps', '--noscripts', buildRpm(work, {
      name: 'bystander', version: '1.0', files: { '/usr/bin/bystander': 'bystander v1\n' }, filesSection: ['/usr/bin/bystander'],
    }));
    const data = await readPackageData(root, 'rpm');
    // The package's directory becomes a link to /proc; on a live root that is the host's procfs.
    fs.rmSync(path.join(root, 'usr/share/procish'), { recursive: true });
    fs.symlinkSync('/proc', path.join(root, 'usr/share/procish'));
    fs.mkdirSync(path.join(root, 'proc'));
    fs.writeFileSync(path.join(root, 'proc/kmsg'), 'kmsg v1\n');
    fs.lutimesSync(path.join(root, 'proc/kmsg'), OLD, OLD);
    fs.appendFileSync(path.join(root, 'usr/bin/procish'), 'trojan\n');
    fs.appendFileSync(path.join(root, 'usr/bin/bystander'), 'trojan\n');

    const result = await verifyPackages(root, 'rpm', data, { timeoutMs: 60_000 });
    expect(result.incomplete).toBeUndefined();
    expect(result.findings.map((f) => [f.status, f.flags?.slice(0, 3), f.path, f.package])).toEqual([
      ['changed', '??5', '/usr/bin/procish', 'procish'],
      ['untested', '???', '/usr/share/procish/kmsg', 'procish'],
      ['changed', 'S.5', '/usr/bin/bystander', 'bystander'],
    ]);
    expect(result.findings[1]!.untested).toEqual({ sha256: 'leads to /proc/kmsg in the root, not read' });
    expect(result.diagnostics.join('\n')).toMatch(/rpm -V was not run for procish:/);
    expect(fs.lstatSync(path.join(root, 'proc/kmsg')).atime).toEqual(OLD);
  });
});
