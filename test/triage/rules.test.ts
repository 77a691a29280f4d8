/**
 * The triage rules as pure functions: no tree, no tool. Each rule explains
 * what it should and nothing else; windows, origin and merged /usr included.
 */
import { describe, expect, it } from 'vitest';
import { triageFindings } from '../../src/triage/triage-all.js';
import { buildOperations, NOT_FROM_REPOSITORY, ORIGIN_NOT_CHECKED, type OperationFacts } from '../../src/triage/operations.js';
import { mergedUsrAliases, packagePaths } from '../../src/triage/path-model.js';
import { trustsLocalPackages } from '../../src/triage/trust.js';
import type { EntryFacts, TriageContext } from '../../src/triage/rules.js';
import { parseDpkgLog } from '../../src/pkg/dpkg-log.js';
import { parsePackagesIndex } from '../../src/pkg/apt-lists.js';
import { parseStatOverrides } from '../../src/pkg/dpkg-statoverride.js';
import { diffPackages } from '../../src/pkg/diff.js';
import type { Finding, PackageData } from '../../src/types.js';

const T0 = Date.UTC(2026, 10, 30, 3, 0, 0) / 1000;
const local = (sec: number) => {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

/** A dpkg.log of one run: upgrade hello 1.0 -> 1.1 from T0+10 to T0+12, triggers until T0+14. */
const LOG = [
  `${local(T0 - 100)} startup archives install`,
  `${local(T0 - 100)} install hello:all <none> 1.0`,
  `${local(T0 - 99)} status installed hello:all 1.0`,
  `${local(T0 + 10)} startup archives install`,
  `${local(T0 + 10)} upgrade hello:all 1.0 1.1`,
  `${local(T0 + 11)} configure hello:all 1.1 <none>`,
  `${local(T0 + 12)} status installed hello:all 1.1`,
  `${local(T0 + 14)} trigproc libc-bin:amd64 2.36 <none>`,
  `${local(T0 + 50)} startup archives install`,
  `${local(T0 + 50)} install evil:all <none> 6.6`,
  `${local(T0 + 51)} status installed evil:all 6.6`,
].join('\n');

const finding = (path: string, status: Finding['status'] = 'changed', extra: Partial<Finding> = {}): Finding =>
  ({ path, status, source: 'baseline', deltas: [], extra: [], untested: {}, ...extra });

const pkgs = (list: Array<[string, string]>) => list.map(([name, version]) => ({ name, version, arch: 'all' }));
const MD5_V1 = '1'.repeat(32);
const MD5_V2 = '2'.repeat(32);

const before: PackageData = {
  manager: 'dpkg', packages: pkgs([['hello', '1.0'], ['libc', '2.36']]), dbFiles: {},
  files: {
    '/bin/hello': { pkg: 'hello', digest: MD5_V1, algo: 'md5' }, '/usr/share/hello/old': { pkg: 'hello', digest: MD5_V1, algo: 'md5' },
    '/usr/bin/hi': { pkg: 'hello' }, '/usr/share/hello': { pkg: 'hello' }, '/etc/hello.conf': { pkg: 'hello', digest: MD5_V1, algo: 'md5' },
  },
};
const after: PackageData = {
  manager: 'dpkg', packages: pkgs([['hello', '1.1'], ['libc', '2.36'], ['evil', '6.6']]), dbFiles: {},
  files: {
    '/bin/hello': { pkg: 'hello', digest: MD5_V2, algo: 'md5' }, '/usr/bin/hi': { pkg: 'hello' }, '/usr/share/hello': { pkg: 'hello' },
    '/etc/hello.conf': { pkg: 'hello', digest: MD5_V2, algo: 'md5' }, '/usr/bin/evil': { pkg: 'evil', digest: MD5_V2, algo: 'md5' },
  },
};

function context(opts: { entries?: Record<string, EntryFacts>; digests?: Record<string, string>; facts?: Partial<OperationFacts> } = {}): TriageContext {
  const operations = buildOperations({
    changes: diffPackages(before.packages, after.packages), events: parseDpkgLog(LOG),
    offered: new Map([['hello', new Set(['1.0', '1.1'])]]), trustLocal: false, since: T0, ...opts.facts,
  });
  return {
    before, after, operations,
    digest: (path) => opts.digests?.[path],
    entry: (path) => opts.entries?.[path],
    aliases: mergedUsrAliases([['/bin', 'usr/bin'], ['/lib', '/usr/lib']], (p) => p === '/usr/bin' || p === '/usr/lib'),
  };
}

function judge(findings: Finding[], ctx: TriageContext): Array<[string, string, string | undefined]> {
  triageFindings(findings, ctx);
  return findings.map((f) => [f.path, f.triage!, f.triage === 'explained' ? `${f.evidence!.rule} ${f.evidence!.operation.name}` : f.reason]);
}

describe('operations from dpkg.log', () => {
  it('gives each operation since the baseline its window: from its line to the end of the run that last names it', () => {
    const ops = buildOperations({ changes: diffPackages(before.packages, after.packages), events: parseDpkgLog(LOG), offered: new Map(), trustLocal: false, since: T0 });
    expect(ops.map((o) => [o.op.kind, o.op.name, o.op.from, o.op.to, o.op.start! - T0, o.op.end! - T0])).toEqual([
      ['install', 'evil', null, '6.6', 50, 51],
      ['upgrade', 'hello', '1.0', '1.1', 10, 14],
    ]);
  });

  it('has no window for an operation the log does not record, or one older than the baseline', () => {
    const ops = buildOperations({ changes: diffPackages(before.packages, after.packages), events: [], offered: new Map(), trustLocal: false, since: T0 });
    expect(ops.map((o) => o.op.start)).toEqual([undefined, undefined]);
    const late = buildOperations({ changes: diffPackages(before.packages, after.packages), events: parseDpkgLog(LOG), offered: new Map(), trustLocal: false, since: T0 + 20 });
    expect(late.map((o) => o.op.start! - T0 || undefined)).toEqual([50, undefined]);
  });

  it('distrusts versions the repositories do not offer, unless local packages are trusted; rpm origins are not checked', () => {
    const changes = diffPackages(before.packages, after.packages);
    const offered = new Map([['hello', new Set(['1.1'])]]);
    expect(buildOperations({ changes, offered, trustLocal: false, since: 0 }).map((o) => o.distrust)).toEqual([NOT_FROM_REPOSITORY, undefined]);
    expect(buildOperations({ changes, offered, trustLocal: true, since: 0 }).map((o) => o.distrust)).toEqual([undefined, undefined]);
    expect(buildOperations({ changes, trustLocal: false, since: 0 }).map((o) => o.distrust)).toEqual([ORIGIN_NOT_CHECKED, ORIGIN_NOT_CHECKED]);
  });
});

describe('rule 1: package content', () => {
  it('explains an upgraded file whose digest is the new record, found under merged /usr', () => {
    const ctx = context({ digests: { '/usr/bin/hello': MD5_V2 }, entries: { '/usr/bin/hello': { kind: 'file', ctime: T0 + 10 } } });
    expect(judge([finding('/usr/bin/hello')], ctx)).toEqual([['/usr/bin/hello', 'explained', 'package-content hello']]);
  });

  it('never explains content other than the record, inside the window or not (a trojaned, just-upgraded binary)', () => {
    const ctx = context({ digests: { '/usr/bin/hello': MD5_V1 }, entries: { '/usr/bin/hello': { kind: 'file', ctime: T0 + 11 } } });
    expect(judge([finding('/usr/bin/hello')], ctx)).toEqual([['/usr/bin/hello', 'unexplained', 'content differs from what hello records']]);
  });

  it('does not explain a matching file changed after the window (chmod u+s after the upgrade)', () => {
    const ctx = context({ digests: { '/usr/bin/hello': MD5_V2 }, entries: { '/usr/bin/hello': { kind: 'file', ctime: T0 + 30 } } });
    expect(judge([finding('/usr/bin/hello')], ctx)[0]![1]).toBe('unexplained');
  });

  it('explains listed symlinks and directories changed in the window, not after it', () => {
    const inWindow = context({ entries: { '/usr/bin/hi': { kind: 'symlink', ctime: T0 + 10 } } });
    expect(judge([finding('/usr/bin/hi')], inWindow)).toEqual([['/usr/bin/hi', 'explained', 'package-content hello']]);
    const later = context({ entries: { '/usr/bin/hi': { kind: 'symlink', ctime: T0 + 30 } } });
    expect(judge([finding('/usr/bin/hi')], later)[0]![1]).toBe('unexplained');
  });

  it('explains a path the upgrade no longer ships being gone', () => {
    const ctx = context({ entries: { '/usr/share/hello': { kind: 'dir', ctime: T0 + 30 } } });
    expect(judge([finding('/usr/share/hello/old', 'missing')], ctx)).toEqual([['/usr/share/hello/old', 'explained', 'package-content hello']]);
  });

  it('explains nothing for a package no configured repository offers', () => {
    const ctx = context({ digests: { '/usr/bin/evil': MD5_V2 }, entries: { '/usr/bin/evil': { kind: 'file', ctime: T0 + 50 } } });
    expect(judge([finding('/usr/bin/evil', 'added')], ctx)).toEqual([['/usr/bin/evil', 'unexplained', NOT_FROM_REPOSITORY]]);
    const trusting = context({ digests: { '/usr/bin/evil': MD5_V2 }, entries: { '/usr/bin/evil': { kind: 'file', ctime: T0 + 50 } }, facts: { trustLocal: true } });
    expect(judge([finding('/usr/bin/evil', 'added')], trusting)).toEqual([['/usr/bin/evil', 'explained', 'package-content evil']]);
  });
});

describe('rule 1 with recorded attributes (rpm records, dpkg-statoverride)', () => {
  const override = { user: 'root', group: '#106', mode: 0o2755 };
  const at = (attrs: Record<string, number | string>) => context({
    digests: { '/usr/bin/hello': MD5_V2 }, entries: { '/usr/bin/hello': { kind: 'file', ctime: T0 + 10, attrs } },
  });

  it('explains the file only when mode, owner and group are what the override says', () => {
    const ok = { ...at({ mode: 0o2755, owner: 'root', gid: 106 }), recorded: (p: string) => (p === '/bin/hello' ? override : undefined) };
    expect(judge([finding('/usr/bin/hello')], ok)).toEqual([['/usr/bin/hello', 'explained', 'package-content hello']]);
    const chmodded = { ...at({ mode: 0o6755, owner: 'root', gid: 106 }), recorded: () => override };
    expect(judge([finding('/usr/bin/hello')], chmodded)).toEqual([['/usr/bin/hello', 'unexplained', 'mode differs from what hello records']]);
    const regrouped = { ...at({ mode: 0o2755, owner: 'root', gid: 0 }), recorded: () => override };
    expect(judge([finding('/usr/bin/hello')], regrouped)[0]![2]).toBe('group differs from what hello records');
  });

  it('parses the statoverride table', () => {
    expect([...parseStatOverrides('root crontab 2755 /usr/bin/crontab\n#0 #106 0644 /etc/with space\nbad line\n')]).toEqual([
      ['/usr/bin/crontab', { user: 'root', group: 'crontab', mode: 0o2755 }],
      ['/etc/with space', { user: '#0', group: '#106', mode: 0o644 }],
    ]);
  });
});

describe('rules 2 and 3: bookkeeping and side effects', () => {
  it('explains the package databases and logs only when an operation happened', () => {
    const ctx = context({ entries: { '/var/lib/dpkg/status': { kind: 'file', ctime: T0 + 12 } } });
    expect(judge([finding('/var/lib/dpkg/status'), finding('/var/lib/dpkg/info/hello.list'), finding('/var/lib/dpkg/info/evil.list', 'added')], ctx)).toEqual([
      ['/var/lib/dpkg/status', 'explained', 'bookkeeping hello'],
      ['/var/lib/dpkg/info/hello.list', 'explained', 'bookkeeping hello'],
      ['/var/lib/dpkg/info/evil.list', 'unexplained', NOT_FROM_REPOSITORY],
    ]);
    const none = { ...context(), operations: [] };
    expect(judge([finding('/var/lib/dpkg/status')], none)).toEqual([['/var/lib/dpkg/status', 'unexplained', undefined]]);
  });

  it('explains a change whose ctime is in the window, naming the operation; one after it is not', () => {
    const ctx = context({ entries: { '/etc/passwd': { kind: 'file', ctime: T0 + 14 }, '/etc/shadow': { kind: 'file', ctime: T0 + 15 } } });
    const out = judge([finding('/etc/passwd'), finding('/etc/shadow')], ctx);
    expect(out[0]).toEqual(['/etc/passwd', 'explained', 'side-effect hello']);
    expect(out[1]![1]).toBe('unexplained');
    expect(out[1]![2]).toMatch(/^changed at 2026-11-30T03:00:15.000Z, outside every package operation$/);
  });

  it('does not explain a config file edited after the operation, nor one the untrusted run touched', () => {
    const ctx = context({
      digests: { '/etc/hello.conf': MD5_V1 },
      entries: { '/etc/hello.conf': { kind: 'file', ctime: T0 + 40 }, '/etc/cron.d/evil': { kind: 'file', ctime: T0 + 51 } },
    });
    expect(judge([finding('/etc/hello.conf'), finding('/etc/cron.d/evil', 'added')], ctx)).toEqual([
      ['/etc/hello.conf', 'unexplained', 'content differs from what hello records'],
      ['/etc/cron.d/evil', 'unexplained', NOT_FROM_REPOSITORY],
    ]);
  });
});

describe('rule 4: directories', () => {
  const dirChange = (path: string) => finding(path, 'changed', { kind: 'dir', deltas: [{ attr: 'mtime', old: 1, new: 2 }, { attr: 'ctime', old: 1, new: 2 }] });

  it('explains a directory whose only changes are explained entries, deepest first', () => {
    const ctx = context({
      digests: { '/usr/bin/hello': MD5_V2 },
      entries: { '/usr': { kind: 'dir', ctime: T0 + 99 }, '/usr/bin': { kind: 'dir', ctime: T0 + 99 }, '/usr/bin/hello': { kind: 'file', ctime: T0 + 10 } },
    });
    expect(judge([dirChange('/usr'), dirChange('/usr/bin'), finding('/usr/bin/hello')], ctx).map((v) => v.slice(0, 2))).toEqual([
      ['/usr', 'explained'], ['/usr/bin', 'explained'], ['/usr/bin/hello', 'explained'],
    ]);
  });

  it('does not explain a directory with an unexplained entry, nor one whose own mode changed', () => {
    const ctx = context({
      digests: { '/usr/bin/hello': MD5_V2 },
      entries: { '/usr/bin': { kind: 'dir', ctime: T0 + 99 }, '/usr/bin/hello': { kind: 'file', ctime: T0 + 10 }, '/usr/bin/x': { kind: 'file', ctime: T0 + 99 } },
    });
    expect(judge([dirChange('/usr/bin'), finding('/usr/bin/hello'), finding('/usr/bin/x', 'added')], ctx)[0]).toEqual(
      ['/usr/bin', 'unexplained', 'an entry in it changed without explanation']);
    const modeToo = { ...dirChange('/usr/bin'), deltas: [{ attr: 'mode', old: '0755', new: '0777' }] };
    expect(judge([modeToo, finding('/usr/bin/hello')], ctx)[0]![1]).toBe('unexplained');
  });
});

describe('path model and inputs', () => {
  it('maps a /usr path to the top-level link the package names, only through the root\'s own links into /usr', () => {
    const aliases = mergedUsrAliases([['/bin', 'usr/bin'], ['/sbin', '/usr/sbin'], ['/lib', '/elsewhere/lib'], ['/opt', 'usr/opt']], () => true);
    expect(aliases).toEqual([['/usr/bin', '/bin'], ['/usr/sbin', '/sbin']]);
    expect(packagePaths('/usr/bin/ls', aliases)).toEqual(['/usr/bin/ls', '/bin/ls']);
    expect(packagePaths('/usr/binx/ls', aliases)).toEqual(['/usr/binx/ls']);
    expect(mergedUsrAliases([['/bin', 'usr/bin']], () => false)).toEqual([]);
  });

  it('reads apt indexes and the policy directive', () => {
    const offered = parsePackagesIndex('Package: a\nVersion: 1:2.0-1\n\nPackage: b\nArchitecture: all\nVersion: 3\n');
    expect([...offered].map(([n, v]) => [n, [...v]])).toEqual([['a', ['1:2.0-1']], ['b', ['3']]]);
    expect(trustsLocalPackages('use default\ntrust-local-packages # our own debs\n')).toBe(true);
    expect(trustsLocalPackages('use default\n# trust-local-packages\n')).toBe(false);
  });
});
