/**
 * A tired operator keeps the baseline inside the tree it describes
 * (/var/lib/driftscan/etc.dsb on the host, or on the evidence disk mounted at
 * --root) and scans with it. The scan reads that file twice (the verify pass
 * and the entries pass); the tree is evidence, so those reads must leave its
 * atime as it was, like every other read of the tree (O_NOATIME); so must
 * the reads of a --pubkey and a --rules file kept beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTree, tempDir } from '../helpers/tree.js';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';

let cli: KeyedCli;

beforeAll(() => {
  cli = keyedCli();
});

const OLD = new Date('2020-01-02T03:04:05Z');

describe('a baseline kept inside the scanned root', () => {
  it.each(['scan', 'verify', 'show'])('is read by %s without changing its atime', (command) => {
    const root = makeTree(tempDir(), { 'etc/a': 'a', 'usr/b': 'b', 'srv/driftscan/.keep': '' });
    const outside = cli.baseline(root);
    expect(outside.code).toBe(0);
    const inside = path.join(root, 'srv/driftscan/etc.dsb');
    fs.copyFileSync(outside.out, inside);
    fs.chmodSync(inside, 0o600);
    // atime before mtime: under relatime any read updates it.
    fs.utimesSync(inside, OLD, new Date());
    const before = fs.statSync(inside);
    // The public key beside it, inside the root too.
    const pub = path.join(root, 'srv/driftscan/driftscan.pub');
    fs.copyFileSync(cli.pub, pub);
    fs.utimesSync(pub, OLD, new Date());
    const r = command === 'scan' ? driftscan(['scan', inside, '--pubkey', pub, '--root', root]) : driftscan([command, inside, '--pubkey', pub]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(fs.statSync(inside).atimeMs).toBe(before.atimeMs);
    expect(fs.statSync(inside).atimeMs).toBe(OLD.getTime());
    expect(fs.statSync(pub).atimeMs).toBe(OLD.getTime());
  });

  it('and its --rules, read by baseline, keep their atime', () => {
    const root = makeTree(tempDir(), { 'etc/a': 'a', 'usr/b': 'b', 'srv/driftscan/etc.rules': 'use default\n' });
    const rules = path.join(root, 'srv/driftscan/etc.rules');
    fs.utimesSync(rules, OLD, new Date());
    const taken = cli.baseline(root, ['--rules', rules]);
    expect(taken.code).toBe(0);
    expect(fs.statSync(rules).atimeMs).toBe(OLD.getTime());
  });
});

describe('a scan report kept inside the scanned root', () => {
  it('is read by update without changing its atime', () => {
    const root = makeTree(tempDir(), { 'etc/a': 'a', 'usr/b': 'b', 'srv/driftscan/.keep': '' });
    const taken = cli.baseline(root, ['--packages', 'none']);
    expect(taken.code).toBe(0);
    fs.appendFileSync(path.join(root, 'etc/a'), 'changed');
    const report = path.join(root, 'srv/driftscan/report.json');
    const scanned = cli.scan(taken.out, root, ['--packages', 'none', '--format', 'json', '-o', path.join(cli.work, 'r.json')]);
    expect(scanned.code).toBe(4);
    fs.copyFileSync(path.join(cli.work, 'r.json'), report);
    fs.utimesSync(report, OLD, new Date());
    const r = driftscan(['update', taken.out, '--report', report, '--key', cli.key, '--pubkey', cli.pub, '-o', path.join(cli.work, 'new.dsb'), '--accept', 'all']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(fs.statSync(report).atimeMs).toBe(OLD.getTime());
  });
});
