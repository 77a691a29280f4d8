/**
 * Each tampering applied alone, then all together, and the exact findings.
 * Every case lives in its own directory so the cases add up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { at, makeTree, systemTree, tempDir, type Node } from '../helpers/tree.js';
import { baselineFile, brief, scanTree, takeBaseline } from '../helpers/lib.js';

interface Case {
  name: string;
  setup: Record<string, Node>;
  prepare?(tree: string): void;
  mutate(tree: string): void;
  expected: string[];
}

const p = (tree: string, rel: string) => at(tree, rel).toString('latin1');
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args);

function restoreMtime(file: string, mutate: () => void): void {
  const st = fs.lstatSync(file, { bigint: true });
  mutate();
  const ns = st.mtimeNs;
  sh('touch', '-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, file);
}

const CASES: Case[] = [
  {
    name: 'same-size content change with mtime restored',
    setup: { 'srv/content/ls': 'ls binary v1\n' },
    mutate: (t) => restoreMtime(p(t, 'srv/content/ls'), () => fs.writeFileSync(p(t, 'srv/content/ls'), 'ls trojan v2\n')),
    expected: ['changed ..5...... - /srv/content/ls ctime'],
  },
  {
    name: 'setuid added',
    setup: { 'srv/suid-add/prog': 'x' },
    mutate: (t) => fs.chmodSync(p(t, 'srv/suid-add/prog'), 0o4644),
    expected: ['changed .M....... - /srv/suid-add/prog ctime'],
  },
  {
    name: 'setuid removed',
    setup: { 'srv/suid-rm/su': 'x' },
    prepare: (t) => fs.chmodSync(p(t, 'srv/suid-rm/su'), 0o4755),
    mutate: (t) => fs.chmodSync(p(t, 'srv/suid-rm/su'), 0o755),
    expected: ['changed .M....... - /srv/suid-rm/su ctime'],
  },
  {
    name: 'chmod',
    setup: { 'srv/chmod/f': 'x' },
    mutate: (t) => fs.chmodSync(p(t, 'srv/chmod/f'), 0o666),
    expected: ['changed .M....... - /srv/chmod/f ctime'],
  },
  {
    name: 'chown and chgrp, to a named user and to ids with no name',
    setup: { 'srv/chown/named': 'x', 'srv/chown/nameless': 'y', 'srv/chown/grp': 'z' },
    mutate: (t) => {
      fs.chownSync(p(t, 'srv/chown/named'), 1500, 0);
      fs.chownSync(p(t, 'srv/chown/nameless'), 4242, 0);
      fs.chownSync(p(t, 'srv/chown/grp'), 0, 4343);
    },
    expected: [
      'changed ......G.. - /srv/chown/grp ctime',
      'changed .....U... - /srv/chown/named ctime',
      'changed .....U... - /srv/chown/nameless ctime',
    ],
  },
  {
    name: 'symlink retargeted',
    setup: { 'srv/link/sh': { symlink: 'dash' } },
    prepare: (t) => sh('touch', '-h', '-d', '@1', p(t, 'srv/link'), p(t, 'srv/link/sh')),
    mutate: (t) => {
      // As `ln -sfn` does: a new link renamed over the old one.
      fs.symlinkSync('/tmp/evil', p(t, 'srv/link/sh.new'));
      fs.renameSync(p(t, 'srv/link/sh.new'), p(t, 'srv/link/sh'));
      sh('touch', '-h', '-d', '@1', p(t, 'srv/link'), p(t, 'srv/link/sh'));
    },
    expected: ['changed ......... - /srv/link ctime', 'changed ....L.... - /srv/link/sh ctime inode'],
  },
  {
    name: 'file becomes a directory, a FIFO, a symlink',
    setup: { 'srv/type/dir': 'x', 'srv/type/fifo': 'y', 'srv/type/link': 'z' },
    prepare: (t) => sh('touch', '-d', '@1', p(t, 'srv/type'), p(t, 'srv/type/dir'), p(t, 'srv/type/fifo'), p(t, 'srv/type/link')),
    mutate: (t) => {
      fs.mkdirSync(p(t, 'srv/type/dir.new'));
      sh('mkfifo', p(t, 'srv/type/fifo.new'));
      fs.symlinkSync('/etc/shadow', p(t, 'srv/type/link.new'));
      for (const n of ['dir', 'fifo', 'link']) {
        fs.unlinkSync(p(t, `srv/type/${n}`));
        fs.renameSync(p(t, `srv/type/${n}.new`), p(t, `srv/type/${n}`));
      }
      sh('touch', '-h', '-d', '@1', p(t, 'srv/type'), p(t, 'srv/type/dir'), p(t, 'srv/type/fifo'), p(t, 'srv/type/link'));
    },
    expected: [
      'changed ......... - /srv/type ctime',
      'changed SM5...... - /srv/type/dir ctime inode nlink',
      'changed SM5...... - /srv/type/fifo ctime inode',
      'changed SM5.L.... - /srv/type/link ctime inode',
    ],
  },
  {
    name: 'device node changed',
    setup: { 'srv/dev/null': { chardev: [1, 3] } },
    prepare: (t) => sh('touch', '-d', '@1', p(t, 'srv/dev'), p(t, 'srv/dev/null')),
    mutate: (t) => {
      sh('mknod', p(t, 'srv/dev/null.new'), 'c', '1', '5');
      fs.renameSync(p(t, 'srv/dev/null.new'), p(t, 'srv/dev/null'));
      sh('touch', '-d', '@1', p(t, 'srv/dev'), p(t, 'srv/dev/null'));
    },
    expected: ['changed ......... - /srv/dev ctime', 'changed ...D..... - /srv/dev/null ctime inode'],
  },
  {
    name: 'file deleted and file added',
    setup: { 'srv/gone/ps': 'ps', 'srv/new/keep': 'k' },
    prepare: (t) => sh('touch', '-d', '@1', p(t, 'srv/gone'), p(t, 'srv/new')),
    mutate: (t) => {
      fs.unlinkSync(p(t, 'srv/gone/ps'));
      fs.writeFileSync(p(t, 'srv/new/rootkit'), 'evil');
      sh('touch', '-d', '@1', p(t, 'srv/gone'), p(t, 'srv/new'));
    },
    expected: [
      'changed ......... - /srv/gone ctime',
      'missing - - /srv/gone/ps',
      'changed ......... - /srv/new ctime',
      'added - - /srv/new/rootkit',
    ],
  },
  {
    name: 'capability added and removed',
    setup: { 'srv/caps/add': 'a', 'srv/caps/rm': 'r' },
    prepare: (t) => sh('setcap', 'cap_net_raw+ep', p(t, 'srv/caps/rm')),
    mutate: (t) => {
      sh('setcap', 'cap_setuid+ep', p(t, 'srv/caps/add'));
      sh('setcap', '-r', p(t, 'srv/caps/rm'));
    },
    expected: ['changed ........P - /srv/caps/add ctime', 'changed ........P - /srv/caps/rm ctime'],
  },
  {
    name: 'file rewritten with identical content (new inode)',
    setup: { 'srv/rewrite/ps': 'same bytes' },
    prepare: (t) => sh('touch', '-d', '@1', p(t, 'srv/rewrite')),
    mutate: (t) => {
      sh('cp', '-p', p(t, 'srv/rewrite/ps'), p(t, 'srv/rewrite/ps.new'));
      fs.renameSync(p(t, 'srv/rewrite/ps.new'), p(t, 'srv/rewrite/ps'));
      sh('touch', '-d', '@1', p(t, 'srv/rewrite'));
    },
    expected: ['changed ......... - /srv/rewrite ctime', 'changed ......... - /srv/rewrite/ps ctime inode'],
  },
  {
    name: 'log truncated (growing is fine, shrinking is not)',
    setup: { 'var/log/wtmp': 'login records\n', 'var/log/btmp': 'failed logins\n' },
    mutate: (t) => {
      fs.truncateSync(p(t, 'var/log/wtmp'), 3);
      fs.appendFileSync(p(t, 'var/log/btmp'), 'one more failure\n');
    },
    expected: ['changed S.5...... - /var/log/wtmp'],
  },
  {
    name: 'log rewritten with other content of a larger size',
    setup: { 'var/log/lastlog': 'lastlog v1\n' },
    mutate: (t) => fs.writeFileSync(p(t, 'var/log/lastlog'), 'forged lastlog, longer\n'),
    expected: ['changed ..5...... - /var/log/lastlog'],
  },
  {
    name: 'config edited',
    setup: { 'etc/app/app.conf': 'listen 80\n' },
    mutate: (t) => fs.appendFileSync(p(t, 'etc/app/app.conf'), 'listen 8080\n'),
    expected: ['changed S.5....T. c /etc/app/app.conf ctime'],
  },
];

async function runCases(cases: Case[]): Promise<string[]> {
  const setup = Object.assign({}, ...cases.map((c) => c.setup)) as Record<string, Node>;
  const tree = systemTree(tempDir(), setup);
  for (const c of cases) c.prepare?.(tree);
  const file = baselineFile(tempDir());
  await takeBaseline(tree, file);
  const before = await scanTree(tree, file);
  expect(brief(before.report.findings), 'untouched tree').toEqual([]);
  expect(before.exitCode).toBe(0);
  for (const c of cases) c.mutate(tree);
  const after = await scanTree(tree, file);
  return brief(after.report.findings);
}

describe('scan finds each tampering, exactly', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      expect(await runCases([c])).toEqual(c.expected);
    });
  }

  it('all of them together', async () => {
    const expected = CASES.flatMap((c) => c.expected).sort((a, b) => {
      const pa = a.split(' ')[3]!;
      const pb = b.split(' ')[3]!;
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    expect(await runCases(CASES)).toEqual(expected);
  });
});

export { makeTree, path };
