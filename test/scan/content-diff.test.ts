/** Configuration files named by the policy keep their text, and a scan shows what changed in them. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

let work: string;
let tree: string;
let file: string;
let pub: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir(), {
    'etc/ssh/sshd_config': 'Port 22\nPermitRootLogin no\nPasswordAuthentication no\n',
    'etc/sudoers': 'root ALL=(ALL) ALL\n',
    'etc/shadow': 'root:$6$secret:19000:0:99999:7:::\n',
    'etc/ld.so.preload': '',
    'etc/profile': 'x'.repeat(100_000),
  });
  expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
  pub = path.join(work, 'k/driftscan.pub');
  file = path.join(work, 'b.dsb');
  const r = driftscan(['baseline', '/etc', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', file]);
  expect(r.code, r.stderr).toBe(0);
});

describe('content of configuration files', () => {
  it('is kept only for the files the policy names, never for secrets', () => {
    const raw = fs.readFileSync(file);
    expect(raw.includes('PermitRootLogin no')).toBe(true);
    expect(raw.includes('root ALL=(ALL) ALL')).toBe(true);
    expect(raw.includes('$6$secret')).toBe(false);
  });

  it('a scan shows a unified diff under the changed file, in text and json', () => {
    fs.writeFileSync(at(tree, 'etc/ssh/sshd_config'), 'Port 22\nPermitRootLogin yes\nPasswordAuthentication no\n');
    fs.writeFileSync(at(tree, 'etc/ld.so.preload'), '/usr/lib/libevil.so\n');
    const text = driftscan(['scan', file, '--pubkey', pub, '--root', tree]);
    const lines = text.stdout.split('\n');
    const at1 = lines.findIndex((l) => l.endsWith('/etc/ld.so.preload  ctime content'));
    expect(lines.slice(at1, at1 + 3)).toEqual([
      'S.5....T.  c /etc/ld.so.preload  ctime content',
      '    @@ -0,0 +1,1 @@',
      '    +/usr/lib/libevil.so',
    ]);
    const at2 = lines.findIndex((l) => l.endsWith('/etc/ssh/sshd_config  ctime content'));
    expect(lines.slice(at2, at2 + 6)).toEqual([
      'S.5....T.  c /etc/ssh/sshd_config  ctime content',
      '    @@ -1,3 +1,3 @@',
      '     Port 22',
      '    -PermitRootLogin no',
      '    +PermitRootLogin yes',
      '     PasswordAuthentication no',
    ]);
    const doc = JSON.parse(driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--format', 'json']).stdout);
    const sshd = doc.findings.find((f: { path: string }) => f.path === '/etc/ssh/sshd_config');
    expect(sshd.details.content).toBe('@@ -1,3 +1,3 @@\n Port 22\n-PermitRootLogin no\n+PermitRootLogin yes\n PasswordAuthentication no');
    expect(sshd.deltas.find((d: { attr: string }) => d.attr === 'content')).toEqual({ attr: 'content', old: '(53 bytes)', new: '(54 bytes)' });
  });

  it('a named file too large to keep still shows as changed, by its digests, without a diff', () => {
    fs.writeFileSync(at(tree, 'etc/profile'), 'y'.repeat(100_000));
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree]);
    const lines = r.stdout.split('\n');
    const i = lines.indexOf('..5....T.  c /etc/profile  ctime');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines[i + 1]).not.toMatch(/^    /);
  });
});
