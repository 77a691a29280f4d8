/**
 * Patch day on a real rpm root: `rpm -U` with a %post scriptlet, rpm's
 * INSTALLTIME as the start of the window, then attacks after it. Every
 * finding's triage is asserted.
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRpmRoot, rpmInRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { buildScriptedRpm } from '../pkg/rpm-patch-day.js';
import { nextSecond } from '../pkg/patch-day.js';
import { driftscan, keygen } from '../helpers/cli.js';

const POST = `local f = io.open("/etc/passwd", "a")
f:write("rpmd:x:998:998::/:/sbin/nologin\\n")
f:close()
posix.mkdir("/etc/rpmd")
local k = io.open("/etc/rpmd/host_key", "w")
k:write("generated\\n")
k:close()`;

const v = (version: string, binary: string, lib: string, post?: string) => ({
  name: 'rpmd', version,
  files: { '/usr/bin/rpmd': { content: binary, mode: 0o755 }, '/etc/rpmd.conf': 'PermitRootLogin no\n', [`/usr/lib/${lib}`]: `${lib}\n` },
  links: { '/usr/lib/librpmd.so': lib },
  filesSection: ['/usr/bin/rpmd', '%config(noreplace) /etc/rpmd.conf', `/usr/lib/${lib}`, '/usr/lib/librpmd.so'],
  postLua: post,
});

interface Day { root: string; baseline: string; pub: string }

function patchDay(attack: boolean): Day {
  const work = tempDir('ds-rpm-patchday-');
  const root = newRpmRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
  const { key, pub } = keygen(path.join(work, 'keys'));
  rpmInRoot(root, '-i', '--nodeps', buildScriptedRpm(work, v('1.0', 'rpmd 1.0\n', 'librpmd.so.1')));
  const rules = path.join(work, 'rules');
  // No rpm repository index is read: this host trusts its own packages.
  fs.writeFileSync(rules, 'use default\ninclude /var/lib/rpm\ntrust-local-packages\n');
  const baseline = path.join(work, 'b.dsb');
  const b = driftscan(['baseline', '--root', root, '--rules', rules, '--key', key, '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();
  rpmInRoot(root, '-U', '--nodeps', buildScriptedRpm(work, v('1.1', 'rpmd 1.1, newer\n', 'librpmd.so.2', POST)));
  if (attack) {
    for (let i = 0; i < 4; i++) nextSecond(); // past the window: INSTALLTIME to the last write, plus 2 s for scriptlets
    const bin = path.join(root, 'usr/bin/rpmd');
    const { atime, mtime } = fs.statSync(bin);
    fs.writeFileSync(bin, 'TROJAN 1.1, newer\n'.slice(0, 'rpmd 1.1, newer\n'.length));
    fs.utimesSync(bin, atime, mtime);
    fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
    fs.appendFileSync(path.join(root, 'etc/rpmd.conf'), 'PermitRootLogin yes\n');
    fs.chmodSync(path.join(root, 'usr/lib/librpmd.so.2'), 0o4755);
  }
  return { root, baseline, pub };
}

function verdicts(day: Day): { code: number; rows: string[][] } {
  const r = driftscan(['scan', day.baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json']);
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout);
  const rows = doc.findings.map((f: { path: string; source: string; status: string; triage: string; reason?: string; evidence?: { rule: string; operation: { name: string; to: string } } }) =>
    [f.path, f.source, f.status, f.triage === 'explained' ? `${f.evidence!.rule} ${f.evidence!.operation.name} ${f.evidence!.operation.to}` : `unexplained: ${f.reason}`]);
  return { code: r.code, rows };
}

describe('patch day on an rpm root (real rpm -U with a %post scriptlet)', () => {
  let benign: Day;
  let attacked: Day;
  beforeAll(() => {
    benign = patchDay(false);
    attacked = patchDay(true);
  }, 120_000);

  const BENIGN = [
    ['/etc/rpmd', 'baseline', 'added', 'side-effect rpmd 1.1-1'],
    ['/etc/rpmd/host_key', 'baseline', 'added', 'side-effect rpmd 1.1-1'],
    ['/usr/lib/librpmd.so', 'baseline', 'changed', 'package-content rpmd 1.1-1'], // the soname link: target as recorded
    ['/usr/lib/librpmd.so.1', 'baseline', 'missing', 'package-content rpmd 1.1-1'],
    ['/var/lib/rpm/rpmdb.sqlite', 'baseline', 'changed', 'bookkeeping rpmd 1.1-1'],
  ];
  const byPath = (a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1);

  it('explains every change of rpm -U and its scriptlet (INSTALLTIME to the last write); clean, exit 0', () => {
    const { code, rows } = verdicts(benign);
    expect(rows).toEqual([
      ...BENIGN,
      ['/etc', 'baseline', 'changed', 'directory rpmd 1.1-1'],
      ['/etc/passwd', 'baseline', 'changed', 'side-effect rpmd 1.1-1'], // the %post's new user
      ['/etc/rpmd.conf', 'baseline', 'changed', 'package-content rpmd 1.1-1'],
      ['/usr/bin', 'baseline', 'changed', 'directory rpmd 1.1-1'],
      ['/usr/bin/rpmd', 'baseline', 'changed', 'package-content rpmd 1.1-1'],
      ['/usr/lib', 'baseline', 'changed', 'directory rpmd 1.1-1'],
      ['/usr/lib/librpmd.so.2', 'baseline', 'added', 'package-content rpmd 1.1-1'],
    ].sort(byPath));
    expect(code).toBe(0);
  });

  it('after the window: the trojan (size and mtime kept), the passwd line, the config edit and a setuid bit are unexplained', () => {
    const { code, rows } = verdicts(attacked);
    expect(rows).toEqual([
      ...BENIGN,
      ['/etc', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/etc/passwd', 'baseline', 'changed', expect.stringMatching(/^unexplained: changed at \S+, outside every package operation$/)],
      ['/etc/rpmd.conf', 'baseline', 'changed', 'unexplained: content differs from what rpmd records'],
      ['/etc/rpmd.conf', 'rpm', 'changed', 'unexplained: content differs from what rpmd records'],
      ['/usr/bin', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/usr/bin/rpmd', 'baseline', 'changed', 'unexplained: content differs from what rpmd records'],
      ['/usr/bin/rpmd', 'rpm', 'changed', 'unexplained: content differs from what rpmd records'],
      ['/usr/lib', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/usr/lib/librpmd.so.2', 'baseline', 'added', 'unexplained: mode differs from what rpmd records'],
      ['/usr/lib/librpmd.so.2', 'rpm', 'changed', 'unexplained: mode differs from what rpmd records'],
    ].sort(byPath));
    expect(code).toBe(1 | 4);
  });

  it('without trust-local-packages and without repository metadata nothing is explained', () => {
    const rules = path.join(tempDir('ds-rules-'), 'rules');
    fs.writeFileSync(rules, 'use default\ninclude /var/lib/rpm\n');
    const r = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--rules', rules, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.length).toBe(12);
    const dirs = ['/etc', '/etc/rpmd', '/usr/bin', '/usr/lib'];
    for (const f of doc.findings) {
      expect(f.triage).toBe('unexplained');
      expect(f.reason).toMatch(dirs.includes(f.path) ? /^an entry in it changed without explanation$/ : /^package origin not checked/);
    }
    expect(r.code).toBe(1 | 2 | 4);
  });

  it('dnf\'s cached primary.xml.gz decides: a version it offers explains, one it does not, not', () => {
    const rules = path.join(tempDir('ds-rules-'), 'rules');
    fs.writeFileSync(rules, 'use default\ninclude /var/lib/rpm\n');
    const repodata = path.join(benign.root, 'var/cache/dnf/updates-0123456789abcdef/repodata');
    fs.mkdirSync(repodata, { recursive: true });
    const primary = (versions: string[]) => gzipSync(`<?xml version="1.0"?>\n<metadata packages="${versions.length}">\n` +
      versions.map((v) => `<package type="rpm"><name>rpmd</name><arch>noarch</arch><version epoch="0" ver="${v}" rel="1"/></package>\n`).join('') + '</metadata>\n');
    const scan = () => {
      const r = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--rules', rules, '--format', 'json']);
      return { code: r.code, findings: JSON.parse(r.stdout).findings as Array<{ path: string; triage: string; reason?: string }> };
    };
    try {
      fs.writeFileSync(path.join(repodata, 'aaaa-primary.xml.gz'), primary(['1.0', '1.1']));
      const offered = scan();
      expect(offered.findings.map((f) => f.triage)).toEqual(Array(12).fill('explained'));
      expect(offered.code).toBe(0);
      fs.writeFileSync(path.join(repodata, 'aaaa-primary.xml.gz'), primary(['1.0']));
      const local = scan();
      expect(local.findings.filter((f) => f.reason === 'package not from a configured repository').map((f) => f.path)).toEqual([
        '/etc/passwd', '/etc/rpmd.conf', '/etc/rpmd/host_key', '/usr/bin/rpmd', '/usr/lib/librpmd.so',
        '/usr/lib/librpmd.so.1', '/usr/lib/librpmd.so.2', '/var/lib/rpm/rpmdb.sqlite',
      ]);
      expect(local.findings.filter((f) => f.reason === 'an entry in it changed without explanation').map((f) => f.path)).toEqual([
        '/etc', '/etc/rpmd', '/usr/bin', '/usr/lib',
      ]);
      expect(local.code).toBe(1 | 2 | 4);
    } finally {
      fs.rmSync(path.join(benign.root, 'var/cache'), { recursive: true });
    }
  });
});
