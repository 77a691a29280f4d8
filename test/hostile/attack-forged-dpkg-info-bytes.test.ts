/**
 * Attack: the intruder edits dpkg's database in the root with bytes its
 * single parse (dpkg-info-rows.ts, dpkg-status.ts) may read otherwise than
 * dpkg: "\r" line ends in md5sums, list and status, an md5sums line with
 * one space or a tab, a huge line, a duplicate status stanza for the
 * package, a status without its final newline. For each, the native
 * verify from the kept rows must print exactly what the real
 * `dpkg --verify` prints, and the verify that reads the files again the
 * same; or, where it cannot model dpkg, say so (NotModelled: the real tool
 * is run instead); or, where dpkg itself refuses the database (a status
 * dpkg-query cannot parse), refuse it too, with dpkg's words: never fewer
 * lines, never a clean verify.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPackageData } from '../../src/pkg/index.js';
import { verifyDpkgNative } from '../../src/pkg/dpkg-native.js';
import { NotModelled } from '../../src/pkg/dpkg-verify-plan.js';
import { takeTexts } from '../../src/pkg/info-texts.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { PackageToolError } from '../../src/errors.js';

const ADMIN = '/var/lib/dpkg';
let root: string;
const db = (p: string) => join(root, 'var/lib/dpkg', p);
const edit = (p: string, change: (text: string) => string) => writeFileSync(db(p), change(readFileSync(db(p), 'latin1')), 'latin1');

function realVerify(): string[] {
  const out = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}${ADMIN}`, '--log=/dev/null']);
  return out.split('\n').filter((l) => l !== '').sort();
}

/** The native verify's lines (or NotModelled's message), from the kept rows and from the files read again. */
async function nativeVerify(keep: boolean): Promise<string[] | string> {
  try {
    const data = await readPackageData(root, 'dpkg', { keepInfoTexts: keep });
    const r = await verifyDpkgNative(root, ADMIN, data, undefined, keep ? takeTexts(data) : undefined);
    return [...r.lines].sort();
  } catch (err) {
    if (err instanceof NotModelled) return `not modelled: ${err.message}`;
    // dpkg-query reads a copy of the database (its path differs each run).
    if (err instanceof PackageToolError) return `refused: ${err.message.replace(/driftscan-view-[^/]+/g, 'VIEW')}`;
    throw err;
  }
}

beforeAll(() => {
  const work = tempDir('ds-forged-info-');
  root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'p', version: '1.0', files: { '/usr/bin/one': 'one\n', '/usr/bin/two': 'two\n', '/usr/share/p/three': 'three\n' } }));
  // Changed files, so a line dpkg prints can go missing from ours.
  writeFileSync(join(root, 'usr/bin/one'), 'trojan\n');
  writeFileSync(join(root, 'usr/share/p/three'), 'trojan\n');
}, 60_000);

const CASES: Array<[string, string, (t: string) => string]> = [
  ['md5sums with \\r\\n line ends', 'info/p.md5sums', (t) => t.replace(/\n/g, '\r\n')],
  ['one md5sums line ending in \\r', 'info/p.md5sums', (t) => t.replace(/(usr\/bin\/one)\n/, '$1\r\n')],
  ['an md5sums line with one space', 'info/p.md5sums', (t) => t.replace(/([0-9a-f]{32})  (usr\/bin\/one)/, '$1 $2')],
  ['an md5sums line with a tab', 'info/p.md5sums', (t) => t.replace(/([0-9a-f]{32})  (usr\/bin\/one)/, '$1\t$2')],
  ['an md5sums line with a 70,000-byte path', 'info/p.md5sums', (t) => `${'0'.repeat(32)}  usr/${'x'.repeat(70_000)}\n${t}`],
  ['a duplicated md5sums line with another digest', 'info/p.md5sums', (t) => `${t}${'f'.repeat(32)}  usr/bin/two\n`],
  ['list with \\r\\n line ends', 'info/p.list', (t) => t.replace(/\n/g, '\r\n')],
  ['status with \\r\\n line ends', 'status', (t) => t.replace(/\n/g, '\r\n')],
  ['a duplicate status stanza for the package', 'status', (t) => `${t.replace(/\n*$/, '\n')}\n${t.slice(t.indexOf('Package: p\n')).split('\n\n')[0]}\n`],
  ['status without its final newline', 'status', (t) => t.replace(/\n+$/, '')],
];

describe('a forged dpkg database in the root', () => {
  it.each(CASES)('%s: the native verify prints the real dpkg --verify lines, or runs the real tool', async (_name, file, change) => {
    const before = readFileSync(db(file));
    edit(file, change);
    try {
      const kept = await nativeVerify(true);
      const reread = await nativeVerify(false);
      expect(kept).toEqual(reread);
      if (typeof kept !== 'string') return void expect(kept).toEqual(realVerify());
      if (kept.startsWith('not modelled: ')) return;
      // Refused: so is it by the real dpkg, which prints no verify lines.
      expect(kept).toMatch(/^refused: .*dpkg-query .*error: parsing file .*\/var\/lib\/dpkg\/status/s);
      const real = spawnSync('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}${ADMIN}`, '--log=/dev/null'], { encoding: 'utf8' });
      expect(real.status).not.toBe(0);
      expect(real.stderr).toMatch(/error: parsing file/);
    } finally {
      writeFileSync(db(file), before);
    }
  }, 60_000);

  it('the unforged database: both verifies print the real lines (two changed files)', async () => {
    const real = realVerify();
    expect(real).toHaveLength(2);
    expect(await nativeVerify(true)).toEqual(real);
    expect(await nativeVerify(false)).toEqual(real);
  });
});
