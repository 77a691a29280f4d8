/**
 * Package data end to end, with the real dpkg and rpm: tiny packages
 * installed into private roots, baselined and scanned through the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rawOutput, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { writeAptIndex } from '../pkg/patch-day.js';

let keys: string;
const key = () => path.join(keys, 'driftscan.key');
const pub = () => path.join(keys, 'driftscan.pub');

beforeAll(() => {
  keys = path.join(tempDir('ds-keys-'), 'k');
  expect(driftscan(['keygen', '--out', keys]).code).toBe(0);
});

function json(args: string[]) {
  const r = driftscan([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBeLessThan(16);
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

/** The tool's own lines, as (flags, path) pairs, split by fixed columns. */
function toolLines(output: string, flagWidth: number): Array<[string, string]> {
  return output.trim().split('\n').filter(Boolean).map((l) => {
    if (l.startsWith('missing')) return ['missing', l.slice(flagWidth + 3).trim()];
    return [l.slice(0, 9), l.slice(flagWidth + 3).trim()];
  });
}

describe('dpkg', () => {
  let work: string;
  let root: string;
  let file: string;

  beforeAll(() => {
    work = tempDir('ds-dpkg-');
    root = newDpkgRoot(work);
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const files = { '/usr/bin/hello': 'hello v1\n', '/usr/bin/tool': 'tool v1\n', '/etc/hello.conf': 'greeting=hi\n' };
    installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files, conffiles: ['/etc/hello.conf'] }));
    file = path.join(work, 'b.dsb');
    const r = driftscan(['baseline', '/', '--root', root, '--key', key(), '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 dpkg packages');
  });

  it('show --packages lists the installed set', () => {
    const r = driftscan(['show', file, '--packages', '--pubkey', pub()]);
    expect(r.stdout).toBe('hello\t1.0\tall\n');
  });

  it('a clean root is clean on both sides', () => {
    const { code, doc } = json(['scan', file, '--pubkey', pub(), '--root', root]);
    expect(doc.findings).toEqual([]);
    expect(doc.packages).toEqual({ manager: 'dpkg', changes: { installed: [], removed: [], upgraded: [] } });
    expect(code).toBe(0);
  });

  it('tampering: dpkg findings equal what dpkg prints, with the package, and the baseline carries the same letters', () => {
    fs.writeFileSync(path.join(root, 'usr/bin/hello'), 'trojan!!\n');
    fs.appendFileSync(path.join(root, 'etc/hello.conf'), 'evil=1\n');
    const tool = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
    const { code, doc } = json(['scan', file, '--pubkey', pub(), '--root', root]);
    const fromDpkg = doc.findings.filter((f: { source: string }) => f.source === 'dpkg');
    expect(fromDpkg.map((f: { flags: string; path: string }) => [f.flags, f.path])).toEqual(toolLines(tool, 9).map(([fl, p]) => [fl, p.replace(/^c /, '')]));
    expect(fromDpkg.map((f: { package: string; triage: string }) => [f.package, f.triage])).toEqual([['hello', 'unexplained'], ['hello', 'unexplained']]);
    for (const f of fromDpkg) {
      const mine = doc.findings.find((g: { source: string; path: string }) => g.source === 'baseline' && g.path === f.path);
      for (const [i, letter] of [...(f.flags as string)].entries()) if (letter !== '.' && letter !== '?') expect(mine.flags[i]).toBe(letter);
      expect(mine).toMatchObject({ package: 'hello', triage: 'unexplained' });
    }
    expect(code & 4).toBe(4);
  });

  it('an upgrade explains its files, and is listed', () => {
    const files = { '/usr/bin/hello': 'hello v2, longer\n', '/usr/bin/tool': 'tool v1\n', '/etc/hello.conf': 'greeting=hi\n' };
    fs.writeFileSync(path.join(root, 'etc/hello.conf'), 'greeting=hi\n');
    installDeb(root, buildDeb(work, { name: 'hello', version: '1.1', files, conffiles: ['/etc/hello.conf'] }));
    writeAptIndex(root, [['hello', '1.1']]); // a version the configured repository offers
    const { doc } = json(['scan', file, '--pubkey', pub(), '--root', root]);
    expect(doc.packages.changes.upgraded).toEqual([{ name: 'hello', arch: 'all', from: '1.0', to: '1.1' }]);
    const hello = doc.findings.find((f: { source: string; path: string }) => f.source === 'baseline' && f.path === '/usr/bin/hello');
    expect(hello).toMatchObject({ status: 'changed', package: 'hello', triage: 'explained' });
    const text = driftscan(['scan', file, '--pubkey', pub(), '--root', root]).stdout;
    expect(text).toMatch(/^# explained by upgrade hello 1\.0 -> 1\.1: \d+ paths$/m);
  });
});

describe('dpkg differences on paths the walk finds unchanged since the baseline', () => {
  it('are kept as preexisting: listed in json, hidden in text, and the scan is clean; new ones are not', () => {
    const work = tempDir('ds-dpkg-pre-');
    const root = newDpkgRoot(work);
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    const files = { '/usr/bin/old': 'old v1\n', '/usr/bin/new': 'new v1\n', '/usr/share/doc/x/README': 'doc\n' };
    installDeb(root, buildDeb(work, { name: 'pre', version: '1.0', files }));
    fs.writeFileSync(path.join(root, 'usr/bin/old'), 'locally patched before the baseline\n');
    fs.rmSync(path.join(root, 'usr/share/doc'), { recursive: true });
    const file = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '/usr', '/etc', '/var', '--root', root, '--key', key(), '-o', file]).code).toBe(0);

    const clean = driftscan(['scan', file, '--pubkey', pub(), '--root', root]);
    expect(clean.stdout.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
    expect(clean.stdout).toContain('# 4 package findings not shown: their paths are unchanged since the baseline, ' +
      'and the package tool reports them differing from their packages (--format json lists them)');
    expect(clean.code).toBe(0);
    const { doc } = json(['scan', file, '--pubkey', pub(), '--root', root]);
    // The removed documentation was absent then and now from a directory the walk listed (/usr/share).
    expect(doc.findings.map((f: { path: string; status: string; triage: string }) => [f.path, f.status, f.triage])).toEqual([
      ['/usr/bin/old', 'changed', 'preexisting'],
      ['/usr/share/doc', 'missing', 'preexisting'],
      ['/usr/share/doc/x', 'missing', 'preexisting'],
      ['/usr/share/doc/x/README', 'missing', 'preexisting'],
    ]);
    expect(doc.summary.packages.preexisting).toBe(4);

    fs.writeFileSync(path.join(root, 'usr/bin/new'), 'tampered after\n');
    const dirty = driftscan(['scan', file, '--pubkey', pub(), '--root', root]);
    expect(dirty.stdout).toMatch(/^\?\?5\?\?\?\?\?\?    \/usr\/bin\/new  \[dpkg pre unexplained\]$/m);
    expect(dirty.stdout).not.toMatch(/ \/usr\/bin\/old /);
    expect(dirty.code & 4).toBe(4);
  });
});

describe('rpm', () => {
  let work: string;
  let root: string;
  let file: string;

  beforeAll(() => {
    work = tempDir('ds-rpm-');
    root = newRpmRoot(work);
    const rpm = buildRpm(work, {
      name: 'greet', version: '1.0',
      files: { '/usr/bin/greet': 'greet v1\n', '/etc/greet.conf': 'x=1\n' },
      filesSection: ['/usr/bin/greet', '%config(noreplace) /etc/greet.conf'],
    });
    rpmInRoot(root, '-i', '--nodeps', '--noscripts', rpm);
    file = path.join(work, 'b.dsb');
    const r = driftscan(['baseline', '/', '--root', root, '--key', key(), '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 rpm packages');
  });

  it('show --packages lists the installed set', () => {
    expect(driftscan(['show', file, '--packages', '--pubkey', pub()]).stdout).toBe('greet\t1.0-1\tnoarch\n');
  });

  it('tampering: rpm findings equal rpm -Va, with the package, and the baseline carries the same letters', () => {
    fs.chmodSync(path.join(root, 'usr/bin/greet'), 0o4755);
    fs.writeFileSync(path.join(root, 'etc/greet.conf'), 'x=2\n');
    const tool = rawOutput('/usr/bin/rpm', ['-Va', '--nodeps', '--noscripts', '--root', root, '--dbpath', '/var/lib/rpm']);
    const { code, doc } = json(['scan', file, '--pubkey', pub(), '--root', root]);
    const fromRpm = doc.findings.filter((f: { source: string }) => f.source === 'rpm');
    const expected = toolLines(tool, 9).map(([fl, p]) => [fl, p.replace(/^[cdglr] /, '')]);
    expect(fromRpm.map((f: { flags: string; path: string }) => [f.flags, f.path])).toEqual(expected);
    expect(fromRpm.find((f: { path: string }) => f.path === '/etc/greet.conf').marker).toBe('c');
    for (const f of fromRpm) {
      expect(f).toMatchObject({ package: 'greet', triage: 'unexplained' });
      const mine = doc.findings.find((g: { source: string; path: string }) => g.source === 'baseline' && g.path === f.path);
      for (const [i, letter] of [...(f.flags as string)].entries()) if (!'.?'.includes(letter)) expect(mine.flags[i]).toBe(letter);
    }
    expect(code & 4).toBe(4);
  });
});
