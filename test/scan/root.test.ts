/** --root: a baseline of one tree compares with a copy of it mounted elsewhere; symlinks never lead out. */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let work: string;
let key: string;
let pub: string;
// Copies get new inodes and ctimes; what an operator comparing copies would set.
const RULES = 'include /\nexclude /tmp\nconfig /etc/**\nattrs /** -inode -ctime\n';

beforeAll(() => {
  work = tempDir();
  ({ key, pub } = keygen(path.join(work, 'k')));
  fs.writeFileSync(path.join(work, 'rules'), RULES);
});

describe('--root', () => {
  it('a baseline of A, scanned against a modified copy B, reports only the modifications', () => {
    const a = systemTree(path.join(work, 'A'), {
      'etc/shadow-link': { symlink: '/etc/shadow' },
      'usr/lib': { symlink: '/etc' },
    });
    const file = path.join(work, 'a.dsb');
    expect(driftscan(['baseline', '--root', a, '--rules', path.join(work, 'rules'), '--key', key, '-o', file]).code).toBe(0);
    const b = path.join(work, 'B');
    execFileSync('cp', ['-a', a, b]);
    fs.writeFileSync(at(b, 'usr/bin/ps'), 'ps trojan v2\n');
    execFileSync('touch', ['-r', at(a, 'usr/bin/ps').toString(), at(b, 'usr/bin/ps').toString()]);
    const same = driftscan(['scan', file, '--pubkey', pub, '--root', a]);
    expect(same.stdout).toMatch(/^# driftscan: clean/m);
    expect(same.code).toBe(0);
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', b]);
    expect(r.stdout.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['..5......    /usr/bin/ps']);
    expect(r.code).toBe(4);
  });

  it('never follows a symlink inside the root onto the scanning machine', () => {
    const t = systemTree(path.join(work, 'C'), {
      'etc/shadow-link': { symlink: '/etc/shadow' },
      'usr/lib': { symlink: '/etc' },
      evil: { symlink: '/etc' },
    });
    const rules = path.join(work, 'rules-evil');
    fs.writeFileSync(rules, RULES + 'include /evil/ssh\ninclude /usr/lib/passwd\n');
    const file = path.join(work, 'c.dsb');
    expect(driftscan(['baseline', '--root', t, '--rules', rules, '--key', key, '-o', file]).code).toBe(0);
    const show = driftscan(['show', file, '--pubkey', pub]);
    const paths = show.stdout.trim().split('\n').map((l) => l.split(/ \/(.*)/)[1]);
    expect(show.stdout).toMatch(/ \/etc\/shadow-link -> \/etc\/shadow /);
    expect(show.stdout).toMatch(/ \/usr\/lib -> \/etc$/m);
    expect(paths.filter((p) => p?.startsWith('evil/') || p?.startsWith('usr/lib/'))).toEqual([]);
    const hostShadow = fs.readFileSync('/etc/shadow');
    const digest = execFileSync('sha256sum', ['/etc/shadow']).toString().split(' ')[0]!;
    expect(hostShadow.length).toBeGreaterThan(0);
    expect(show.stdout).not.toContain(digest);
  });
});

describe('--root with a name that is not ASCII', () => {
  it('walks, hashes and scans under it like any other root', () => {
    const t = systemTree(path.join(work, 'räum-ü'));
    const file = path.join(work, 'u.dsb');
    expect(driftscan(['baseline', '--root', t, '--rules', path.join(work, 'rules'), '--key', key, '-o', file]).code).toBe(0);
    expect(driftscan(['show', file, '/usr/bin/ls', '--pubkey', pub]).stdout).toMatch(/\/usr\/bin\/ls  sha256=[0-9a-f]{64}/);
    fs.appendFileSync(path.join(t, 'usr/bin/ls'), 'x');
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', t]);
    expect(r.stdout).toMatch(/^S\.5\.\.\.\.T\.    \/usr\/bin\/ls$/m);
    expect(r.code).toBe(4);
  });
});
