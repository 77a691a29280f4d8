/**
 * Operator mistakes with `scan --update-to` and `diff`: the new baseline named
 * as the baseline, the report or a key; --key or --accept without --update-to;
 * --update-to with --no-verify; a diff of baselines signed by another key; a
 * diff rules file naming an unknown rule. One stderr line, a documented exit
 * code, and the files left as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftscan, keyedCli, keygen, type KeyedCli } from '../helpers/cli.js';
import { systemTree, tempDir } from '../helpers/tree.js';

let cli: KeyedCli;
let root: string;
let baseline: string;
let bytes: Buffer;

beforeAll(() => {
  cli = keyedCli();
  root = systemTree(tempDir('ds-update-to-'));
  baseline = cli.baseline(root, ['--packages', 'none']).out;
  bytes = fs.readFileSync(baseline);
  fs.writeFileSync(path.join(root, 'etc/ssh/sshd_config'), 'PermitRootLogin yes\n');
});

const scanTo = (args: string[]) => cli.scan(baseline, root, ['--packages', 'none', ...args]);

describe('scan --update-to refuses operator mistakes before the walk', () => {
  it('--update-to naming the baseline, the signing key, the public key or the report', () => {
    const report = path.join(cli.work, 'same.json');
    for (const [args, message] of [
      [['--update-to', baseline, '--key', cli.key], `-o ${baseline} is the baseline file; refusing to overwrite it`],
      [['--update-to', cli.key, '--key', cli.key], `-o ${cli.key} is the signing key; refusing to overwrite it`],
      [['--update-to', cli.pub, '--key', cli.key], `-o ${cli.pub} is the public key; refusing to overwrite it`],
      [['--update-to', report, '--key', cli.key, '-o', report], `--update-to ${report} is also -o: the report and the new baseline go side by side, in two files`],
    ] as const) {
      const r = scanTo([...args]);
      expect(r.stderr).toBe(`driftscan: error: ${message}\n`);
      expect(r.code).toBe(16);
    }
    expect(fs.readFileSync(baseline).equals(bytes)).toBe(true);
    expect(fs.existsSync(report)).toBe(false);
  });

  it('--key or --accept without --update-to, --update-to without --key, and with --no-verify', () => {
    for (const [args, message] of [
      [['--key', cli.key], '--key and --accept go with --update-to'],
      [['--accept', 'all'], '--key and --accept go with --update-to'],
      [['--update-to', path.join(cli.work, 'n.dsb')], '--update-to needs --key, the private key that signs the new baseline'],
    ] as const) {
      const r = scanTo([...args]);
      expect(r.stderr).toBe(`driftscan: error: ${message}\n`);
      expect(r.code).toBe(16);
    }
    const nv = driftscan(['scan', baseline, '--root', root, '--no-verify', '--packages', 'none', '--update-to', path.join(cli.work, 'n.dsb'), '--key', cli.key]);
    expect(nv.stderr).toContain('driftscan: error: --update-to and --no-verify conflict: an update starts from a verified baseline\n');
    expect(nv.code).toBe(16);
  });

  it('a glob that accepts nothing writes no new baseline and keeps the scan\'s exit bits', () => {
    const next = path.join(cli.work, 'next.dsb');
    const r = scanTo(['--update-to', next, '--key', cli.key, '--accept', '/etc/sshd_config']);
    expect(r.stderr).toBe('driftscan: --update-to: nothing accepted (/etc/sshd_config); no new baseline written\n');
    expect(r.code).toBe(4);
    expect(fs.existsSync(next)).toBe(false);
  });
});

describe('diff refuses operator mistakes', () => {
  it('baselines that do not verify with the key', () => {
    const other = keygen(path.join(tempDir('ds-diff-key-'), 'k'));
    const r = driftscan(['diff', baseline, baseline, '--pubkey', other.pub]);
    expect(r.stderr).toMatch(/^driftscan: error: baseline signature does not verify with this public key/);
    expect(r.code).toBe(19);
  });

  it('a report, not a baseline, as NEW', () => {
    const report = path.join(cli.work, 'r.json');
    scanTo(['--format', 'json', '-o', report]);
    const r = driftscan(['diff', baseline, report, '--pubkey', cli.pub]);
    expect(r.stderr).toBe('driftscan: error: not a driftscan baseline (bad magic)\n');
    expect(r.code).toBe(18);
  });

  it('a diff report given to update is refused: it is of no tree', () => {
    const report = path.join(cli.work, 'diff.json');
    fs.writeFileSync(report, driftscan(['diff', baseline, baseline, '--pubkey', cli.pub, '--format', 'json']).stdout);
    const out = path.join(cli.work, 'from-diff.dsb');
    const r = driftscan(['update', baseline, '--report', report, '--key', cli.key, '--pubkey', cli.pub, '-o', out, '--accept', 'all']);
    expect(r.stderr).toBe(`driftscan: error: report ${report} is not a JSON scan report with a baseline binding (write it with scan --format json)\n`);
    expect(r.code).toBe(26);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a rules file naming an unknown rule, or ignore-diff with no name', () => {
    for (const text of ['ignore-diff host_identity\n', 'ignore-diff\n', 'ignore-diff host-identity extra\n']) {
      const rules = path.join(cli.work, 'bad.rules');
      fs.writeFileSync(rules, text);
      const r = driftscan(['diff', baseline, baseline, '--pubkey', cli.pub, '--rules', rules]);
      expect(r.stderr).toBe(`driftscan: error: ${rules}:1: ignore-diff takes one rule name (known: host-identity)\n`);
      expect(r.code).toBe(22);
    }
  });

  it('policy --check accepts ignore-diff in a rules file, and refuses a bad one', () => {
    const rules = path.join(cli.work, 'full.rules');
    fs.writeFileSync(rules, 'use default\nignore-diff host-identity\n');
    expect(driftscan(['policy', '--check', rules]).code).toBe(0);
    fs.writeFileSync(rules, 'use default\nignore-diff everything\n');
    const r = driftscan(['policy', '--check', rules]);
    expect(r.stderr).toBe(`driftscan: error: ${rules}:2: ignore-diff takes one rule name (known: host-identity)\n`);
    expect(r.code).toBe(22);
  });
});
