/**
 * assess() on hand-made input: no tree, no baseline file, no package tool.
 * What a scan decides (findings, preexisting, counts, exit bits) is checked here
 * as plain data; the tests on real trees check that gather() feeds it truly.
 */
import { describe, expect, it } from 'vitest';
import { assess, type AssessInput } from '../../src/scan/assess.js';
import type { PackageRun } from '../../src/scan/package-check.js';
import { parsePolicy } from '../../src/policy/policy.js';
import type { BaselineHeader, Entry, Finding, PackageData } from '../../src/types.js';

const file = (path: string, sha256 = 'a'.repeat(64)): Entry => ({ path, kind: 'file', attrs: { mode: 0o644, size: 1, sha256, mtime: [1, 0] } });
const dir = (path: string): Entry => ({ path, kind: 'dir', attrs: { mode: 0o755 } });

const header = (over: Partial<BaselineHeader> = {}): BaselineHeader => ({
  format: 1, tool: 'driftscan test', host: 'h', created: '2026-01-01T00:00:00.000Z', root: '/mnt/img',
  policy: 'include /etc\n', attrs: ['mode', 'size', 'sha256', 'mtime'], keyId: 'k', unlisted: [], growing: [], ...over,
});

const PACKAGES: PackageData = {
  manager: 'dpkg', packages: [{ name: 'base-files', version: '12.4', arch: 'amd64' }], files: {}, dbFiles: {},
};

const BEFORE = [dir('/etc'), file('/etc/hosts'), file('/etc/motd'), dir('/etc/ssh'), file('/etc/ssh/sshd_config')];

function input(now: Entry[], over: Partial<AssessInput> = {}): AssessInput {
  return {
    baseline: { header: header(), packages: PACKAGES },
    forEachBefore: (visit) => BEFORE.forEach((e) => visit(e)),
    snapshot: { entries: now, unlisted: new Map() },
    policy: parsePolicy('include /etc\n', 'test'),
    // A mounted image: the package tool's findings are judged, not its own binaries.
    root: '/mnt/img',
    sameFilesystemAsParent: () => true,
    ...over,
  };
}

const dpkg = (path: string, flags = '??5??????'): Finding => ({ path, status: 'changed', source: 'dpkg', flags, deltas: [], extra: [], untested: {} });
const run = (findings: Finding[], over: Partial<PackageRun> = {}): PackageRun => ({
  manager: 'dpkg', after: PACKAGES, findings, diagnostics: [], incomplete: false, history: {}, ...over,
});

const brief = (fs: Finding[]) => fs.map((f) => `${f.source} ${f.status} ${f.flags ?? '-'} ${f.path}${f.triage ? ` ${f.triage}` : ''}`);

describe('assess', () => {
  it('the same entries: clean, exit 0', () => {
    const { report, exitCode } = assess(input([...BEFORE]));
    expect(report.findings).toEqual([]);
    expect(report.summary.clean).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('changed, missing and added OR their bits: 4 | 2 | 1', () => {
    const now = [dir('/etc'), file('/etc/hosts', 'b'.repeat(64)), file('/etc/new'), dir('/etc/ssh'), file('/etc/ssh/sshd_config')];
    const { report, exitCode } = assess(input(now));
    expect(brief(report.findings)).toEqual([
      'baseline changed ..5...... /etc/hosts',
      'baseline missing - /etc/motd',
      'baseline added - /etc/new',
    ]);
    expect(exitCode).toBe(7);
  });

  it('a directory that could not be listed: its contents untested, not missing, exit 8', () => {
    const now = [dir('/etc'), file('/etc/hosts'), file('/etc/motd'), dir('/etc/ssh')];
    const { report, exitCode } = assess(input(now, { snapshot: { entries: now, unlisted: new Map([['/etc/ssh', 'EACCES']]) } }));
    expect(brief(report.findings)).toEqual(['baseline untested ......... /etc/ssh', 'baseline untested - /etc/ssh/sshd_config']);
    expect(exitCode).toBe(8);
  });

  it('an unverified baseline is said first and never clean', () => {
    const { report, exitCode } = assess(input([...BEFORE], { unverified: true }));
    expect(report.diagnostics[0]).toMatch(/NOT verified/);
    expect(exitCode).toBe(8);
  });

  it('a package finding on a path the walk found as recorded is preexisting and not counted', () => {
    const { report, exitCode } = assess(input([...BEFORE], { packageRun: run([dpkg('/etc/motd')]) }));
    expect(brief(report.findings)).toEqual(['dpkg changed ??5?????? /etc/motd preexisting']);
    expect(report.summary.packages.preexisting).toBe(1);
    expect(exitCode).toBe(0);
  });

  it('a package finding the walk cannot vouch for counts: a path it never saw, or one it found changed', () => {
    const now = [dir('/etc'), file('/etc/hosts', 'b'.repeat(64)), file('/etc/motd'), dir('/etc/ssh'), file('/etc/ssh/sshd_config')];
    const { report, exitCode } = assess(input(now, { packageRun: run([dpkg('/etc/hosts'), dpkg('/usr/bin/ls')]) }));
    expect(report.findings.filter((f) => f.source === 'dpkg').map((f) => [f.path, f.triage, f.outsidePolicy ?? false])).toEqual([
      ['/etc/hosts', 'unexplained', false],
      ['/usr/bin/ls', 'unexplained', true],
    ]);
    expect(exitCode & 4).toBe(4);
  });

  it('a package check that did not finish is a finding of its own and exit 8', () => {
    const { report, exitCode } = assess(input([...BEFORE], { packageRun: run([], { incomplete: true, incompleteReason: 'timed out' }) }));
    expect(brief(report.findings)).toEqual(['dpkg untested - /var/lib/dpkg']);
    expect(exitCode).toBe(8);
  });

  it('diff of two baselines is assess over two entry lists: no filesystem needed', () => {
    const later = [dir('/etc'), file('/etc/hosts'), dir('/etc/ssh'), file('/etc/ssh/sshd_config', 'c'.repeat(64))];
    const { report, exitCode } = assess(input(later, { sameFilesystemAsParent: undefined }));
    expect(brief(report.findings)).toEqual(['baseline missing - /etc/motd', 'baseline changed ..5...... /etc/ssh/sshd_config']);
    expect(exitCode).toBe(6);
  });
});
