/**
 * rpm's sqlite database keeps a shared-memory index (-shm) and a write-ahead
 * log (-wal) that any rpm query rewrites, even a read-only one. The default
 * policy excludes them by exact name (under /var/lib/rpm and Fedora's
 * /usr/lib/sysimage/rpm), so a host that ran `rpm -qa` still scans clean,
 * while the database itself, and any other file named like them, is compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let work: string;
let keys: { key: string; pub: string };

beforeAll(() => {
  work = tempDir();
  keys = keygen(path.join(work, 'k'));
});

function rpm(root: string, dbpath: string, ...args: string[]): void {
  execFileSync('/usr/bin/rpm', ['--root', root, '--dbpath', dbpath, ...args], { stdio: 'pipe' });
}

for (const dbpath of ['/var/lib/rpm', '/usr/lib/sysimage/rpm']) {
  describe(`an rpm database in ${dbpath}`, () => {
    it('rpm queries rewrite its -shm and -wal; the scan stays clean; the database itself is compared', () => {
      const tree = systemTree(tempDir(), { 'usr/bin/rpmdb.sqlite-shm-lookalike': 'x\n' });
      rpm(tree, dbpath, '--initdb');
      const shm = at(tree, `${dbpath.slice(1)}/rpmdb.sqlite-shm`);
      expect(fs.existsSync(shm)).toBe(true);
      const rules = path.join(work, `rules-${dbpath.replace(/\//g, '_')}`);
      fs.writeFileSync(rules, `use default\ninclude ${dbpath}\n`);
      const out = path.join(work, `b${dbpath.replace(/\//g, '_')}.dsb`);
      const b = driftscan(['baseline', '--root', tree, '--rules', rules, '--key', keys.key, '-o', out, '--packages', 'none']);
      expect(b.code, b.stderr).toBe(0);
      const before = fs.lstatSync(shm, { bigint: true });
      rpm(tree, dbpath, '-qa');
      // The query did rewrite the index: without the exclude this would be a finding.
      expect(fs.lstatSync(shm, { bigint: true }).mtimeNs).not.toBe(before.mtimeNs);
      fs.writeFileSync(at(tree, `${dbpath.slice(1)}/rpmdb.sqlite-wal`), 'frames not yet checkpointed');
      const scan = () => driftscan(['scan', out, '--pubkey', keys.pub, '--root', tree, '--packages', 'none']);
      const s = scan();
      expect(s.code, s.stdout).toBe(0);
      fs.appendFileSync(at(tree, `${dbpath.slice(1)}/rpmdb.sqlite`), 'x');
      fs.appendFileSync(at(tree, 'usr/bin/rpmdb.sqlite-shm-lookalike'), 'x');
      const t = scan();
      expect(t.code, t.stdout).toBe(4);
      expect(t.stdout).toMatch(new RegExp(`^S\\.5\\.\\.\\.\\.T\\.    ${dbpath}/rpmdb\\.sqlite  ctime$`, 'm'));
      expect(t.stdout).toMatch(/^S\.5\.\.\.\.T\.    \/usr\/bin\/rpmdb\.sqlite-shm-lookalike  ctime$/m);
    });
  });
}
