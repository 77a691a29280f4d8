/**
 * dpkg's info files are parsed once (dpkg-info-rows.ts): the scan keeps each
 * file's rows for its own dpkg verify instead of parsing the texts again.
 * On a root made with the real dpkg and dpkg-divert, then given each edge the
 * two readers' rules differ on, the verify from the kept rows prints what the
 * real `dpkg --verify` prints, line for line, and what the verify that reads
 * the files itself prints; the owner data is the same either way; and where
 * dpkg would abort (NotModelled) both say so with the same words.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { verifyDpkgNative } from '../../src/pkg/dpkg-native.js';
import { takeTexts } from '../../src/pkg/info-texts.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from './build-packages.js';
import { tempDir } from '../helpers/tree.js';

const ADMIN = '/var/lib/dpkg';
let work: string;
let root: string;
const db = (p: string) => join(root, 'var/lib/dpkg', p);
const edit = (p: string, change: (text: string) => string) => writeFileSync(db(p), change(readFileSync(db(p), 'latin1')), 'latin1');

function divert(pkg: string, from: string, to: string): void {
  execFileSync('/usr/bin/dpkg-divert', [`--root=${root}`, `--admindir=${root}${ADMIN}`, '--package', pkg, '--divert', to, '--rename', from], { stdio: 'pipe' });
}

function realVerify(): string[] {
  const out = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}${ADMIN}`, '--log=/dev/null']);
  return out.split('\n').filter((l) => l !== '').sort();
}

/** The native verify's lines, from the rows the package read kept, and from the files read again. */
async function bothVerifies(): Promise<{ kept: string[]; reread: string[] }> {
  const data = await readPackageData(root, 'dpkg', { keepInfoTexts: true });
  const texts = takeTexts(data);
  expect(texts?.size).toBeGreaterThan(0);
  const kept = await verifyDpkgNative(root, ADMIN, data, undefined, texts);
  const reread = await verifyDpkgNative(root, ADMIN, await readPackageData(root, 'dpkg'));
  return { kept: [...kept.lines].sort(), reread: [...reread.lines].sort() };
}

beforeAll(() => {
  work = tempDir('ds-dpkg-rows-');
  root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'orig', version: '1.0', files: { '/usr/bin/tool': 'orig\n', '/usr/share/orig/upper': 'u\n', '/usr/share/orig/dotted': 'd\n' } }));
  divert('wrapper', '/usr/bin/tool', '/usr/bin/tool.distrib');
  installDeb(root, buildDeb(work, { name: 'wrapper', version: '1.0', files: { '/usr/bin/tool': 'wrapper\n' } }));
  // A package's own diversion does not move its own copy.
  divert('self', '/usr/bin/selftool', '/usr/bin/selftool.real');
  installDeb(root, buildDeb(work, { name: 'self', version: '1.0', files: { '/usr/bin/selftool': 'self\n' } }));
  installDeb(root, buildDeb(work, {
    name: 'conf', version: '1.0', files: { '/etc/conf/a': 'a\n', '/etc/conf/old': 'o\n', '/etc/conf/rou': 'r\n', '/etc/conf/new': 'n\n' },
    conffiles: ['/etc/conf/a', '/etc/conf/old', '/etc/conf/rou', '/etc/conf/new'],
  }));
  installDeb(root, buildDeb(work, { name: 'libm', version: '1.0', files: { '/usr/lib/libm-test/data': 'm\n' } }));

  // libm becomes Multi-Arch: same, its info files named libm:amd64.* as dpkg names them then.
  edit('status', (t) => t.replace(/(Package: libm\n(?:.+\n)*?)Architecture: all\n/, '$1Architecture: amd64\nMulti-Arch: same\n'));
  for (const ext of ['list', 'md5sums']) renameSync(db(`info/libm.${ext}`), db(`info/libm:amd64.${ext}`));
  // Conffile flags: obsolete, remove-on-upgrade, and a digest dpkg writes as "newconffile".
  edit('status', (t) => t.replace(/( \/etc\/conf\/old [0-9a-f]{32})\n/, '$1 obsolete\n')
    .replace(/( \/etc\/conf\/rou [0-9a-f]{32})\n/, '$1 remove-on-upgrade\n')
    .replace(/ \/etc\/conf\/new [0-9a-f]{32}\n/, ' /etc/conf/new newconffile\n'));
  // An md5sums digest in upper case (dpkg compares the text), a path given as ./path, a listed directory with its slash.
  edit('info/orig.md5sums', (t) => t.replace(/^([0-9a-f]{32})(  usr\/share\/orig\/upper)$/m, (_, h: string, rest: string) => h.toUpperCase() + rest)
    .replace('  usr/share/orig/dotted', '  ./usr/share/orig/dotted'));
  edit('info/orig.list', (t) => t.replace('/usr/share/orig\n', '/usr/share/orig/\n'));

  writeFileSync(join(root, 'usr/bin/tool.distrib'), 'trojan\n');
  writeFileSync(join(root, 'usr/share/orig/dotted'), 'changed\n');
  writeFileSync(join(root, 'usr/lib/libm-test/data'), 'changed\n');
  writeFileSync(join(root, 'etc/conf/a'), 'a=2\n');
  rmSync(join(root, 'etc/conf/old'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the verify from the rows the package read kept', () => {
  it('prints the lines dpkg prints, with every edge the readers differ on', async () => {
    const real = realVerify();
    // Each edge is really there: ./ and upper-case md5sums lines, a Multi-Arch stem, conffile flags and
    // "newconffile" (never a match); the diverted copy at tool.distrib has no digest in dpkg's view, so is not read.
    expect(real).toEqual([
      '??5??????   /usr/lib/libm-test/data', '??5??????   /usr/share/orig/dotted', '??5??????   /usr/share/orig/upper',
      '??5?????? c /etc/conf/a', '??5?????? c /etc/conf/new', 'missing   c /etc/conf/old',
    ]);
    const { kept, reread } = await bothVerifies();
    expect(kept).toEqual(real);
    expect(reread).toEqual(real);
  });

  it('gives the same owner data, in the same order, whether the rows are kept or not', async () => {
    const kept = await readPackageData(root, 'dpkg', { keepInfoTexts: true });
    const plain = await readPackageData(root, 'dpkg');
    expect(Object.keys(kept.files)).toEqual(Object.keys(plain.files));
    expect(kept).toEqual(plain);
    expect(kept.files['/usr/bin/tool.distrib']).toMatchObject({ pkg: 'orig' });
    expect(kept.files['/usr/bin/tool']).toMatchObject({ pkg: 'wrapper' });
    expect(kept.files['/usr/bin/selftool']).toMatchObject({ pkg: 'self' });
    expect(kept.files['/usr/lib/libm-test/data']).toMatchObject({ pkg: 'libm:amd64' });
    // The owner data takes digests in lower case.
    expect(kept.files['/usr/share/orig/upper']!.digest).toMatch(/^[0-9a-f]{32}$/);
  });

  it('leaves to the real dpkg, with the same words, what dpkg would abort on', async () => {
    const cases: Array<[string, (t: string) => string, RegExp]> = [
      ['info/self.md5sums', (t) => t.replace(/\n$/, ''), /self\.md5sums is missing its final newline/],
      ['info/self.md5sums', (t) => `${'0'.repeat(32)}  \n${t}`, /self\.md5sums has a malformed line/],
      ['info/self.list', (t) => `${t}\n`, /self\.list names an empty path/],
      ['info/self.list', (t) => t.replace(/\n$/, ''), /self\.list is missing its final newline/],
    ];
    for (const [file, change, words] of cases) {
      const before = readFileSync(db(file));
      edit(file, change);
      const kept = await verifyPackages(root, 'dpkg', await readPackageData(root, 'dpkg', { keepInfoTexts: true }));
      const reread = await verifyPackages(root, 'dpkg', await readPackageData(root, 'dpkg'));
      writeFileSync(db(file), before);
      expect(kept.diagnostics.join('\n'), file).toMatch(words);
      expect(kept.diagnostics.join('\n')).toMatch(/the real dpkg --verify is run instead/);
      expect(kept).toEqual(reread);
    }
  });
});
