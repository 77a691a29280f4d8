/**
 * Attack: make a version look offered by a configured repository through
 * the shape of an apt index rather than a real stanza: "Package: coreutils"
 * inside a Description's continuation lines, a line of spaces that a loose
 * reader takes for a stanza break, a field named twice. Whatever the text,
 * a version counts as offered exactly when apt itself offers it: every
 * crafted index is read by driftscan and by the real apt-cache, and both
 * must agree (or both refuse the file). End to end, a forged upgrade whose
 * version only such a trick "offers" stays a finding.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePackagesIndex } from '../../src/pkg/apt-lists.js';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

const ASKED = ['a', 'b', 'coreutils', 'evil', 'hello'];

/** Index text -> "name=version" lines apt offers of ASKED, or 'refused' when apt cannot build its cache from it. */
function aptOffers(index: string): string[] | 'refused' {
  const d = tempDir('ds-apt-oracle-');
  for (const sub of ['etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg']) {
    fs.mkdirSync(path.join(d, sub), { recursive: true });
  }
  fs.writeFileSync(path.join(d, 'var/lib/dpkg/status'), '');
  fs.writeFileSync(path.join(d, 'etc/apt/sources.list'), 'deb [trusted=yes] file:/nonexistent/repo ./\n');
  fs.writeFileSync(path.join(d, 'var/lib/apt/lists/_nonexistent_repo_._Packages'), index, 'latin1');
  const r = spawnSync('apt-cache', ['-o', `Dir=${d}`, '-o', `Dir::State::status=${d}/var/lib/dpkg/status`, '-o', 'Debug::NoLocking=1', 'madison', ...ASKED], { encoding: 'latin1' });
  if (/^E: /m.test(r.stderr) || r.status !== 0) return 'refused';
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('|').map((f) => f.trim())).map(([n, v]) => `${n}=${v}`).sort();
}

function ours(index: string): string[] | 'refused' {
  try {
    return [...parsePackagesIndex(Buffer.from(index, 'latin1'), new Set(ASKED))].flatMap(([n, vs]) => [...vs].map((v) => `${n}=${v}`)).sort();
  } catch {
    return 'refused';
  }
}

const stanza = (...lines: string[]) => `${lines.join('\n')}\n`;
const CASES: Array<[string, string, string[] | 'refused']> = [
  ['"Package:" and "Version:" inside a Description', stanza('Package: hello', 'Version: 1.0', 'Architecture: all', 'Description: hi',
    ' Package: coreutils', ' Version: 9.9', ' .', '\tPackage: evil', '\tVersion: 6'), ['hello=1.0']],
  ['a Package field continued by " Version: 6" is one odd name, and the last Package wins', stanza('Package: hello', 'Version: 1.0',
    'Architecture: all', 'Package:evil', ' Version: 6'), []],
  ['no space after the colon, spaces before it, a tab after the value', stanza('Package:coreutils', 'Version:9.9', 'Architecture: all', '',
    'Package :hello\t', 'Version:\t1.1 ', 'Architecture: all'), ['coreutils=9.9', 'hello=1.1']],
  ['a line of spaces or of a tab is no stanza break: the last Package of the joined stanza wins', stanza('Package: coreutils', 'Version: 9.1',
    'Architecture: all', ' ', 'Package: evil', 'Version: 9.9', 'Architecture: all', '', 'Package: hello', 'Version: 1', 'Architecture: all', '\t',
    'Package: b', 'Version: 2', 'Architecture: all'), ['b=2', 'evil=9.9']],
  ['CRLF, field names in any case, Version before Package, no newline at the end',
    'Architecture: all\r\nversion: 2.0\r\nPACKAGE: Hello\r\n\r\nPackage: a\nVersion: 1\nArchitecture: all', ['a=1', 'hello=2.0']],
  ['a field named twice', stanza('Package: coreutils', 'Version: 9.9', 'Package: evil', 'Architecture: all'), ['evil=9.9']],
  ['a value continued on the next line is not the name', stanza('Package: coreutils', ' evil', 'Version: 1', 'Architecture: all'), []],
  ['a line with no colon takes its name to the next colon, across the blank line', stanza('Package: coreutils', 'Version: 9.1',
    'Architecture: all', 'garbage', '', 'Package: evil', 'Version: 9.9', 'Architecture: all'), ['coreutils=9.9']],
  ['a stanza with no Package', stanza('Package: a', 'Version: 1', 'Architecture: all', '', 'Version: 2', 'Architecture: all'), 'refused'],
  ['blank lines before the first stanza', `\n\n${stanza('Package: a', 'Version: 1', 'Architecture: all')}`, 'refused'],
  ['a last line with no colon', 'Package: a\nVersion: 1\nArchitecture: all\nnocolon', 'refused'],
];

describe('an apt index read as apt reads it (the real apt-cache decides)', () => {
  it.each(CASES)('%s', (_what, index, expected) => {
    expect(aptOffers(index)).toEqual(expected);
    expect(ours(index)).toEqual(expected);
  });
});

describe('a forged upgrade whose version only a stanza trick offers', () => {
  let keys: { key: string; pub: string };
  beforeAll(() => {
    keys = keygen(path.join(tempDir('ds-aptstanza-keys-'), 'k'));
  });

  /** app 1.0 installed and baselined; then the intruder's trojan, its md5 and the version bumped to 1.1 in the database. */
  function forged(index: string): { root: string; file: string } {
    const work = tempDir('ds-aptstanza-');
    const root = newDpkgRoot(work);
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/hostname'), 'image\n');
    installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: { '/srv/app/run': 'app v1\n' } }));
    const file = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.writeFileSync(path.join(root, 'srv/app/run'), 'trojan\n');
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/app.md5sums'), `${crypto.createHash('md5').update('trojan\n').digest('hex')}  srv/app/run\n`);
    const status = path.join(root, 'var/lib/dpkg/status');
    fs.writeFileSync(status, fs.readFileSync(status, 'utf8').replace(/(Package: app\n(?:.+\n)*?Version: )1\.0/, '$11.1'));
    expect(execFileSync('dpkg-query', [`--admindir=${root}/var/lib/dpkg`, '-W', 'app'], { encoding: 'utf8' })).toBe('app\t1.1\n');
    const lists = path.join(root, 'var/lib/apt/lists');
    fs.mkdirSync(lists, { recursive: true });
    fs.writeFileSync(path.join(lists, 'deb.example_dists_stable_main_binary-amd64_Packages'), index);
    return { root, file };
  }
  const scan = ({ root, file }: { root: string; file: string }) => driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
  const UNEXPLAINED = /^changed {5}\/srv\/app\/run .*\(package not from a configured repository\).*\[dpkg app unexplained\]$/m;

  it('"Package: app / Version: 1.1" in a Description, or past a line of spaces: still a finding, exit 4', () => {
    for (const index of [
      stanza('Package: app', 'Version: 1.0', 'Architecture: all', 'Description: app', ' Package: app', ' Version: 1.1'),
      stanza('Package: app', 'Version: 1.1', 'Architecture: all', ' ', 'Package: app-doc', 'Version: 1.0', 'Architecture: all'),
    ]) {
      const r = scan(forged(index));
      expect(r.stdout).toMatch(UNEXPLAINED);
      expect(r.code & 4).toBe(4);
    }
  });

  it('a stanza apt does read ("Package:app", CRLF) offers the version: clean, exit 0', () => {
    const r = scan(forged('Package:app\r\nVersion: 1.1\r\nArchitecture: all\r\n'));
    expect(r.stdout).not.toMatch(/unexplained/);
    expect(r.code, r.stdout).toBe(0);
  });
});
