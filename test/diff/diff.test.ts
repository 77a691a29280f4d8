/**
 * diff on real trees: a baseline against itself is empty; `diff A B` gives
 * the findings `scan A` gives on the tree B was taken from; ignore-diff
 * host-identity masks per-host files and lists them as masked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';
import { systemTree, tempDir } from '../helpers/tree.js';

let cli: KeyedCli;
beforeAll(() => {
  cli = keyedCli();
});

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; summary: unknown; diagnostics: string[] };

function hostTree(): string {
  return systemTree(tempDir('ds-diff-'), {
    'etc/hostname': 'web1\n', 'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
    'etc/ssh/ssh_host_ed25519_key': 'KEY ONE\n',
  });
}

describe('diff', () => {
  it('of a baseline with itself is empty and clean', () => {
    const root = hostTree();
    const a = cli.baseline(root, ['--packages', 'none']);
    const d = driftscan(['diff', a.out, a.out, '--pubkey', cli.pub, '--format', 'json']);
    expect(d.code).toBe(0);
    expect(json(d).findings).toEqual([]);
    const text = driftscan(['diff', a.out, a.out, '--pubkey', cli.pub]);
    expect(text.stdout).toMatch(/^# driftscan: clean: 0 changed, 0 missing, 0 added, 0 not checked, 0 package findings; \d+ entries compared\n$/);
  });

  it('A B equals scan A of the tree B was taken from, in findings, summary and exit code', () => {
    const root = hostTree();
    const a = cli.baseline(root, ['--packages', 'none']);
    fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
    fs.chmodSync(path.join(root, 'usr/bin/ls'), 0o4755);
    fs.rmSync(path.join(root, 'usr/bin/ps'));
    fs.writeFileSync(path.join(root, 'usr/bin/.hidden'), 'x\n');
    const b = cli.baseline(root, ['--packages', 'none']);
    const d = driftscan(['diff', a.out, b.out, '--pubkey', cli.pub, '--format', 'json']);
    const s = cli.scan(a.out, root, ['--packages', 'none', '--format', 'json']);
    expect(d.code).toBe(7);
    expect(s.code).toBe(7);
    expect(json(d).findings.map((f) => f.path)).toEqual(['/etc/passwd', '/usr/bin', '/usr/bin/.hidden', '/usr/bin/ls', '/usr/bin/ps']);
    expect(json(d).findings).toEqual(json(s).findings);
    expect(json(d).summary).toEqual(json(s).summary);
    const text = (args: string[]) => args.join(' ');
    expect(text([driftscan(['diff', a.out, b.out, '--pubkey', cli.pub]).stdout])).toBe(cli.scan(a.out, root, ['--packages', 'none']).stdout);
  });

  it('ignore-diff host-identity masks per-host files, lists each as masked, and keeps the rest', () => {
    const root = hostTree();
    const a = cli.baseline(root, ['--packages', 'none']);
    fs.writeFileSync(path.join(root, 'etc/hostname'), 'web2\n');
    fs.writeFileSync(path.join(root, 'etc/machine-id'), 'fedcba9876543210fedcba9876543210\n');
    fs.writeFileSync(path.join(root, 'etc/ssh/ssh_host_ed25519_key'), 'KEY TWO\n');
    fs.writeFileSync(path.join(root, 'etc/ssh/sshd_config'), 'PermitRootLogin yes\n');
    const b = cli.baseline(root, ['--packages', 'none']);
    const rules = path.join(cli.work, 'diff.rules');
    fs.writeFileSync(rules, '# expected per host\nignore-diff host-identity\n');
    const d = driftscan(['diff', a.out, b.out, '--pubkey', cli.pub, '--rules', rules, '--format', 'json']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(4);
    expect(json(d).findings.map((f) => f.path)).toEqual(['/etc/ssh/sshd_config']);
    expect(json(d).diagnostics).toEqual([
      'masked by ignore-diff host-identity: changed /etc/hostname',
      'masked by ignore-diff host-identity: changed /etc/machine-id',
      'masked by ignore-diff host-identity: changed /etc/ssh/ssh_host_ed25519_key',
    ]);
    const unmasked = driftscan(['diff', a.out, b.out, '--pubkey', cli.pub, '--format', 'json']);
    expect(json(unmasked).findings).toHaveLength(4);
    const text = driftscan(['diff', a.out, b.out, '--pubkey', cli.pub, '--rules', rules]);
    expect(text.stdout).toContain('masked by ignore-diff host-identity: changed /etc/hostname');
  });

  it('an unknown ignore-diff rule is a rules error', () => {
    const root = hostTree();
    const a = cli.baseline(root, ['--packages', 'none']);
    const rules = path.join(cli.work, 'bad.rules');
    fs.writeFileSync(rules, 'ignore-diff hostname\n');
    const d = driftscan(['diff', a.out, a.out, '--pubkey', cli.pub, '--rules', rules]);
    expect(d.stderr).toBe(`driftscan: error: ${rules}:1: ignore-diff takes one rule name (known: host-identity)\n`);
    expect(d.code).toBe(22);
  });
});
