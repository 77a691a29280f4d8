/**
 * driftscan's own dpkg verify reads info/STEM.list and info/STEM.md5sums,
 * where STEM is "name:arch" for a Multi-Arch: same package. dpkg-query
 * checks the package name in the status file but not the Architecture, so an
 * intruder who writes the root's status file can make the stem
 * "x:../../../../tmp/f": with a directory info/x:.. made in the root, the
 * path climbs out of the root and the scanning host's /tmp/f.list was read,
 * its lines checked and printed as the package's files; the real dpkg
 * (DRIFTSCAN_DPKG_VERIFY=tool, or run when driftscan's own cannot model the
 * database) reads them too, through the root's view. Such a package's info
 * files are read by neither: the package check is reported not done (exit bit
 * 8, the reason named), and nothing of the host's file appears.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-infopath-keys-'), 'k'));
});

/** A dpkg root with a baseline, then a package x whose Architecture climbs to the host's `f.list`. */
function climbingRoot(extra?: (root: string) => void): { root: string; file: string } {
  const work = tempDir('ds-infopath-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: { '/usr/bin/app': 'app\n' } }));
  const file = path.join(work, 'b.dsb');
  expect(driftscan(['baseline', '/', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);

  // On the scanning host, outside the root: files an intruder cannot write into the root.
  const host = tempDir('ds-infopath-host-');
  fs.writeFileSync(path.join(host, 'f.list'), '/HOST-LIST-LINE\n');
  fs.writeFileSync(path.join(host, 'f.md5sums'), '0123456789abcdef0123456789abcdef  HOST-MD5SUMS-LINE\n');
  const arch = `${'../'.repeat(30)}${host.slice(1)}/f`;
  fs.appendFileSync(path.join(root, 'var/lib/dpkg/status'),
    `\nPackage: x\nStatus: install ok installed\nVersion: 1\nMulti-Arch: same\nArchitecture: ${arch}\n`);
  fs.mkdirSync(path.join(root, 'var/lib/dpkg/info/x:..'));
  extra?.(root);
  return { root, file };
}

function expectNotRead(root: string, file: string, env: Record<string, string> = {}): void {
  const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root, '--format', 'json'], env);
  expect(r.stdout).not.toMatch(/HOST-/);
  expect(r.stderr).not.toMatch(/HOST-/);
  const report = JSON.parse(r.stdout) as { findings: Array<{ path: string; status: string; untested?: Record<string, string> }> };
  const unfinished = report.findings.find((f) => f.path === '/var/lib/dpkg' && f.status === 'untested');
  expect(unfinished?.untested?.['package-check']).toMatch(/package x an architecture with '\/' in it: its info files are not read/);
  expect(r.code & 8).toBe(8);
}

describe('a Multi-Arch: same package whose Architecture climbs out of info/', () => {
  it('does not make the scan read the host\'s files: the package check is not done, and says why', () => {
    const { root, file } = climbingRoot();
    expectNotRead(root, file);
  });

  it('nor the real dpkg (DRIFTSCAN_DPKG_VERIFY=tool), which would read them through the root\'s view', () => {
    const { root, file } = climbingRoot();
    expectNotRead(root, file, { DRIFTSCAN_DPKG_VERIFY: 'tool' });
  });

  it('nor the real dpkg run because driftscan\'s own cannot model the database (an md5sums without its final newline)', () => {
    const { root, file } = climbingRoot((r) => {
      const sums = path.join(r, 'var/lib/dpkg/info/app.md5sums');
      fs.writeFileSync(sums, fs.readFileSync(sums, 'latin1').replace(/\n$/, ''));
    });
    expectNotRead(root, file);
  });
});
