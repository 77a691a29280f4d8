/**
 * update on real trees: only accepted paths move, everything else keeps its
 * entry exactly; a path changed after the report is refused; a report of
 * another baseline is refused; nothing is written when refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';
import { systemTree, tempDir } from '../helpers/tree.js';

let cli: KeyedCli;
beforeAll(() => {
  cli = keyedCli();
});

/** A tree, its baseline, some changes, and the JSON report of a scan of them. */
function reviewed(): { root: string; baseline: string; report: string; out: string } {
  const root = systemTree(tempDir('ds-update-'), { 'etc/motd': 'hello\n', 'usr/bin/keep': 'keep\n' });
  const b = cli.baseline(root, ['--packages', 'none']);
  expect(b.code, b.stderr).toBe(0);
  fs.writeFileSync(path.join(root, 'etc/motd'), 'patched\n');
  fs.writeFileSync(path.join(root, 'usr/bin/ps'), 'ps binary v2\n');
  fs.rmSync(path.join(root, 'usr/bin/ls'));
  const report = path.join(cli.work, `r-${path.basename(root)}.json`);
  const s = cli.scan(b.out, root, ['--packages', 'none', '--format', 'json', '-o', report]);
  expect(s.code).toBe(6);
  return { root, baseline: b.out, report, out: path.join(cli.work, `new-${path.basename(root)}.dsb`) };
}

const update = (r: ReturnType<typeof reviewed>, ...accept: string[]) =>
  driftscan(['update', r.baseline, '--report', r.report, '--key', cli.key, '--pubkey', cli.pub, '-o', r.out, '--accept', ...accept]);

const showLines = (file: string) => driftscan(['show', file, '--pubkey', cli.pub]).stdout.trimEnd().split('\n');

describe('update', () => {
  it('takes the accepted paths as they are now and keeps every other entry exactly', () => {
    const r = reviewed();
    const u = update(r, '/etc/motd', '/usr/bin/ls');
    expect(u.stderr).toMatch(/accepted \/etc\/motd: 1, \/usr\/bin\/ls: 1; packages kept\n$/);
    expect(u.code).toBe(0);
    const s = cli.scan(r.out, r.root, ['--packages', 'none']);
    // /usr/bin (its listing changed when ls went) and ps were not accepted: still reported.
    expect(s.stdout.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      '.......T.    /usr/bin  ctime',
      '..5....T.    /usr/bin/ps  ctime',
    ]);
    expect(s.code).toBe(4);
    const before = showLines(r.baseline);
    const after = showLines(r.out);
    const untouched = (lines: string[]) => lines.filter((l) => !/ \/(etc\/motd|usr\/bin\/ls)( |$)/.test(l));
    expect(untouched(after)).toEqual(untouched(before));
    expect(after.length).toBe(before.length - 1);
  });

  it('refuses a path changed after the report, one line per path, and writes nothing', () => {
    const r = reviewed();
    fs.writeFileSync(path.join(r.root, 'etc/motd'), 'patched, then changed again\n');
    fs.writeFileSync(path.join(r.root, 'usr/bin/ls'), 'back, different\n');
    const u = update(r, 'all');
    expect(u.stderr).toBe(
      'driftscan: refused: /etc/motd changed since the report (reported as it was, now different); not accepted\n' +
      // Creating ls again changed its directory too.
      'driftscan: refused: /usr/bin changed since the report (reported as it was, now different); not accepted\n' +
      'driftscan: refused: /usr/bin/ls changed since the report (reported missing, now different); not accepted\n' +
      'driftscan: error: 3 accepted path(s) changed since the report; nothing written (scan again and review)\n');
    expect(u.code).toBe(26);
    expect(fs.existsSync(r.out)).toBe(false);
  });

  it('refuses a report of another baseline', () => {
    const r = reviewed();
    const other = cli.baseline(r.root, ['--packages', 'none']);
    const u = driftscan(['update', other.out, '--report', r.report, '--key', cli.key, '--pubkey', cli.pub, '-o', r.out, '--accept', 'all']);
    expect(u.stderr).toMatch(/^driftscan: error: report .* is of another baseline \(sha256 [0-9a-f]{16}\.\.\.\), not of .* \(sha256 [0-9a-f]{16}\.\.\.\)\n$/);
    expect(u.code).toBe(26);
    expect(fs.existsSync(r.out)).toBe(false);
  });

  it('a second update carries the first one in its history', () => {
    const r = reviewed();
    expect(update(r, '/etc/motd').code).toBe(0);
    const report2 = path.join(cli.work, 'second.json');
    expect(cli.scan(r.out, r.root, ['--packages', 'none', '--format', 'json', '-o', report2]).code).toBe(6);
    const third = path.join(cli.work, 'third.dsb');
    const u = driftscan(['update', r.out, '--report', report2, '--key', cli.key, '--pubkey', cli.pub, '-o', third, '--accept', 'all']);
    expect(u.code, u.stderr).toBe(0);
    expect(cli.scan(third, r.root, ['--packages', 'none']).code).toBe(0);
    const h = driftscan(['show', '--history', third, '--pubkey', cli.pub]).stdout.trimEnd().split('\n');
    expect(h.map((l) => l.replace(/[0-9a-f]{64}/g, 'H').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T'))).toEqual([
      'H  created T  signed by key H  host ' + os.hostname(),
      '  updated T by key H: accepted all 3 paths; packages kept; report sha256 H',
      'H  created T',
      '  updated T by key H: accepted /etc/motd 1 path; packages kept; report sha256 H',
      'H  created T',
      '  (taken from a tree: the start of the chain)',
    ]);
  });

  it('a baseline with no history shows that it has none', () => {
    const r = reviewed();
    const h = driftscan(['show', '--history', r.baseline, '--pubkey', cli.pub]);
    expect(h.stdout).toMatch(/^[0-9a-f]{64}  created \S+  signed by key [0-9a-f]{64}  host .*\n  \(taken from a tree: no updates\)\n$/);
  });
});
