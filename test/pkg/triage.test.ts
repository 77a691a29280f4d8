import { describe, expect, it } from 'vitest';
import { triage } from '../../src/pkg/triage.js';
import type { Finding, PackageData } from '../../src/types.js';

const finding = (path: string, status: Finding['status'] = 'changed'): Finding => ({
  path,
  status,
  source: 'baseline',
  deltas: [],
  extra: [],
  untested: {},
});

function data(packages: [string, string][], files: PackageData['files'], dbFiles: Record<string, string> = {}): PackageData {
  return { manager: 'rpm', packages: packages.map(([name, version]) => ({ name, version, arch: 'x86_64' })), files, dbFiles };
}

const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);
const EVIL = 'e'.repeat(64);

describe('triage', () => {
  const before = data([['bash', '5.1'], ['coreutils', '9.1']], {
    '/usr/bin/bash': { pkg: 'bash', digest: OLD, algo: 'sha256' },
    '/usr/bin/ls': { pkg: 'coreutils', digest: OLD, algo: 'sha256' },
    '/usr/share/bash/old': { pkg: 'bash', digest: OLD, algo: 'sha256' },
  }, { '/var/lib/rpm/rpmdb.sqlite': '1'.repeat(64) });
  const after = data([['bash', '5.2'], ['coreutils', '9.1']], {
    '/usr/bin/bash': { pkg: 'bash', digest: NEW, algo: 'sha256' },
    '/usr/bin/ls': { pkg: 'coreutils', digest: OLD, algo: 'sha256' },
  }, { '/var/lib/rpm/rpmdb.sqlite': '2'.repeat(64) });

  it('explains a file of an upgraded package whose content is what the database records', () => {
    const f = [finding('/usr/bin/bash')];
    expect(triage(f, before, after, new Map([['/usr/bin/bash', NEW]]))).toEqual([]);
    expect(f[0]).toMatchObject({ package: 'bash', triage: 'explained' });
  });

  it('does not explain a file of an upgraded package with other content', () => {
    const f = [finding('/usr/bin/bash')];
    triage(f, before, after, new Map([['/usr/bin/bash', EVIL]]));
    expect(f[0]).toMatchObject({ package: 'bash', triage: 'unexplained' });
  });

  it('does not explain a file whose content is unknown', () => {
    const f = [finding('/usr/bin/bash')];
    triage(f, before, after, () => undefined);
    expect(f[0].triage).toBe('unexplained');
  });

  it('does not explain a changed file of a package that did not change', () => {
    const f = [finding('/usr/bin/ls')];
    triage(f, before, after, new Map([['/usr/bin/ls', OLD]]));
    expect(f[0]).toMatchObject({ package: 'coreutils', triage: 'unexplained' });
  });

  it('marks files without a package unowned and unexplained', () => {
    const f = [finding('/etc/cron.d/evil', 'added')];
    triage(f, before, after, new Map());
    expect(f[0]).toMatchObject({ package: 'unowned', triage: 'unexplained' });
  });

  it('explains a missing file that the upgraded package no longer ships', () => {
    const f = [finding('/usr/share/bash/old', 'missing')];
    triage(f, before, after, new Map());
    expect(f[0]).toMatchObject({ package: 'bash', triage: 'explained' });
  });

  it('keeps a package name the verify already set, and asks the callback in the database algorithm', () => {
    const f = [{ ...finding('/usr/bin/bash'), package: 'bash' }];
    const asked: string[] = [];
    triage(f, before, after, (path, algo) => {
      asked.push(`${path} ${algo}`);
      return NEW;
    });
    expect(asked).toEqual(['/usr/bin/bash sha256']);
    expect(f[0].triage).toBe('explained');
  });
});

describe('triage: a database edited to hide a file', () => {
  const before = data([['coreutils', '9.1']], { '/usr/bin/ls': { pkg: 'coreutils', digest: OLD, algo: 'sha256' } }, { '/db': '1' });
  const edited = data([['coreutils', '9.1']], { '/usr/bin/ls': { pkg: 'coreutils', digest: EVIL, algo: 'sha256' } }, { '/db': '2' });

  it('leaves the file unexplained and adds a finding for the recorded digest and one for the db file', () => {
    const f = [finding('/usr/bin/ls')];
    const extra = triage(f, before, edited, new Map([['/usr/bin/ls', EVIL]]));
    expect(f[0]).toMatchObject({ package: 'coreutils', triage: 'unexplained' });
    expect(extra.map((e) => [e.path, e.status, e.source, e.package, e.triage])).toEqual([
      ['/usr/bin/ls', 'changed', 'rpm', 'coreutils', 'unexplained'],
      ['/db', 'changed', 'rpm', 'unowned', 'unexplained'],
    ]);
    expect(extra[0].note).toMatch(/recorded digest|different digest/);
    expect(extra[0].deltas).toEqual([{ attr: 'recorded-digest', old: OLD, new: EVIL }]);
  });

  it('also flags a digest dropped from the database (dpkg then skips the file)', () => {
    const dropped = data([['coreutils', '9.1']], { '/usr/bin/ls': { pkg: 'coreutils' } }, { '/db': '1' });
    const extra = triage([], before, dropped, new Map());
    expect(extra).toHaveLength(1);
    expect(extra[0].note).toMatch(/no longer records a digest/);
  });

  it('does not flag a recorded digest that changed with the version', () => {
    const upgraded = data([['coreutils', '9.2']], { '/usr/bin/ls': { pkg: 'coreutils', digest: NEW, algo: 'sha256' } }, { '/db': '2' });
    expect(triage([], before, upgraded, new Map())).toEqual([]);
  });

  it('reports database files that changed, appeared or vanished while no package changed', () => {
    const b = data([['a', '1']], {}, { '/db/x': '1', '/db/gone': '1' });
    const a = data([['a', '1']], {}, { '/db/x': '2', '/db/new': '1' });
    expect(triage([], b, a, new Map()).map((e) => [e.path, e.status])).toEqual([
      ['/db/gone', 'missing'],
      ['/db/new', 'added'],
      ['/db/x', 'changed'],
    ]);
    expect(triage([], b, b, new Map())).toEqual([]);
  });
});
