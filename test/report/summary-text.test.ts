/**
 * scan --summary on a real tree: counts by status, triage and top-level
 * directory, then the first findings of each status in full, then the verdict;
 * the exit code is the scan's. Refused with a machine format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

describe('--summary', () => {
  let args: string[];

  beforeAll(() => {
    const work = tempDir('ds-summary-');
    const keys = keygen(path.join(work, 'k'));
    const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`srv/app/f${i}`, 'v1']));
    const root = systemTree(path.join(work, 'root'), { ...files, 'srv/gone': 'x' });
    const file = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '/usr', '/etc', '/srv', '--root', root, '--key', keys.key, '-o', file, '--packages', 'none']).code).toBe(0);
    for (let i = 0; i < 7; i++) fs.writeFileSync(path.join(root, `srv/app/f${i}`), 'v2 longer');
    fs.unlinkSync(path.join(root, 'srv/gone'));
    fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
    fs.writeFileSync(at(root, 'usr/bin/new\\x1b[2Kone'), 'x');
    args = ['scan', file, '--pubkey', keys.pub, '--root', root, '--packages', 'none'];
  });

  it('counts, directories, the first five of each status, the verdict', () => {
    const r = driftscan([...args, '--summary']);
    expect(r.code).toBe(1 | 2 | 4);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'status    unexplained   explained preexisting',
      'changed            10           0           0',
      'missing             1           0           0',
      'added               1           0           0',
      'untested            0           0           0',
    ]);
    expect(lines.slice(6, 10)).toEqual([
      'directory  unexplained   explained preexisting',
      '/etc                 1           0           0',
      '/srv                 9           0           0', // 7 files, /srv itself, /srv/gone
      '/usr                 2           0           0', // /usr/bin and the new file
    ]);
    const changed = lines.indexOf('changed, unexplained (first 5 of 10):');
    expect(changed).toBeGreaterThan(0);
    const full = driftscan(args).stdout.split('\n').filter((l) => /^\S{9} /.test(l));
    expect(lines.slice(changed + 1, changed + 6)).toEqual(full.slice(0, 5).map((l) => '  ' + l));
    expect(lines).toContain('missing, unexplained:');
    expect(lines).toContain('  added       /usr/bin/new\\x1b[2Kone');
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(lines.at(-2)).toBe('# driftscan: NOT clean: 10 changed, 1 missing, 1 added, 0 not checked, 0 package findings; ' + lines.at(-2)!.split('; ')[1]);
  });

  it('is a text report: with --format json it is a usage error', () => {
    const r = driftscan([...args, '--summary', '--format', 'json']);
    expect(r.code).toBe(16);
    expect(r.stderr).toBe('driftscan: error: --summary is a text report: it does not go with --format json\n');
  });
});
