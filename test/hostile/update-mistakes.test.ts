/**
 * Operator mistakes with `update`: -o naming the baseline, the report or a
 * key; a report edited by hand; a text report; a glob that accepts nothing;
 * a relative glob; the wrong public key. Each is one stderr line and a
 * documented exit code, and no file is written or replaced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftscan, keyedCli, keygen, type KeyedCli } from '../helpers/cli.js';
import { systemTree, tempDir } from '../helpers/tree.js';

let cli: KeyedCli;
let root: string;
let baseline: string;
let report: string;
let baselineBytes: Buffer;

beforeAll(() => {
  cli = keyedCli();
  root = systemTree(tempDir('ds-update-mistakes-'));
  baseline = cli.baseline(root, ['--packages', 'none']).out;
  baselineBytes = fs.readFileSync(baseline);
  fs.writeFileSync(path.join(root, 'etc/ssh/sshd_config'), 'PermitRootLogin yes\n');
  report = path.join(cli.work, 'report.json');
  expect(cli.scan(baseline, root, ['--packages', 'none', '--format', 'json', '-o', report]).code).toBe(4);
});

function update(args: string[], reportFile = report) {
  return driftscan(['update', baseline, '--report', reportFile, '--key', cli.key, '--pubkey', cli.pub, ...args]);
}

const out = () => path.join(cli.work, `new-${Math.random().toString(36).slice(2)}.dsb`);

describe('update refuses operator mistakes', () => {
  it('-o naming the baseline, the report, the signing key or the public key', () => {
    const reportBytes = fs.readFileSync(report);
    for (const [target, what] of [[baseline, 'baseline file'], [report, 'report'], [cli.key, 'signing key'], [cli.pub, 'public key']] as const) {
      const r = update(['-o', target, '--accept', 'all']);
      expect(r.stderr).toBe(`driftscan: error: -o ${target} is the ${what}; refusing to overwrite it\n`);
      expect(r.code).toBe(16);
    }
    expect(fs.readFileSync(baseline).equals(baselineBytes)).toBe(true);
    expect(fs.readFileSync(report).equals(reportBytes)).toBe(true);
  });

  it('-o inside the report\'s root (a mounted disk is evidence) is refused, nothing written there', () => {
    const inside = path.join(root, 'etc', 'new.dsb');
    const r = update(['-o', inside, '--accept', 'all']);
    expect(r.stderr).toBe(`driftscan: error: -o ${inside} is inside --root ${fs.realpathSync(root)}; refusing to change the tree under examination\n`);
    expect(r.code).toBe(16);
    expect(fs.existsSync(inside)).toBe(false);
  });

  it('a report edited by hand (a finding marked explained, a path changed) is refused', () => {
    for (const edit of [
      (doc: any) => { doc.findings[0].triage = 'explained'; },
      (doc: any) => { doc.findings[0].path = '/etc/shadow'; },
      (doc: any) => { doc.root = '/'; },
      (doc: any) => { doc.findings.pop(); },
    ]) {
      const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
      edit(doc);
      const edited = path.join(cli.work, 'edited.json');
      fs.writeFileSync(edited, JSON.stringify(doc, null, 2));
      const o = out();
      const r = update(['-o', o, '--accept', 'all'], edited);
      expect(r.stderr).toBe(`driftscan: error: report ${edited} was changed after the scan wrote it (its findings checksum does not match); scan again\n`);
      expect(r.code).toBe(26);
      expect(fs.existsSync(o)).toBe(false);
    }
  });

  it('a report rebound to this baseline by hand is refused by the checksum too', () => {
    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    doc.binding.baseline_sha256 = '0'.repeat(64);
    const edited = path.join(cli.work, 'rebound.json');
    fs.writeFileSync(edited, JSON.stringify(doc));
    const r = update(['-o', out()], edited);
    expect(r.stderr).toMatch(/was changed after the scan wrote it/);
    expect(r.code).toBe(26);
  });

  it('a text report, or a JSON report without a binding, is refused', () => {
    const text = path.join(cli.work, 'report.txt');
    fs.writeFileSync(text, cli.scan(baseline, root, ['--packages', 'none']).stdout);
    const r = update(['-o', out()], text);
    expect(r.stderr).toBe(`driftscan: error: report ${text} is not a JSON report (write it with scan --format json)\n`);
    expect(r.code).toBe(26);
    const unbound = path.join(cli.work, 'unbound.json');
    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    delete doc.binding;
    fs.writeFileSync(unbound, JSON.stringify(doc));
    const u = update(['-o', out()], unbound);
    expect(u.stderr).toBe(`driftscan: error: report ${unbound} is not a JSON scan report with a baseline binding (write it with scan --format json)\n`);
    expect(u.code).toBe(26);
  });

  it('a glob that accepts nothing is named, with any other rule that does; nothing is written', () => {
    const o = out();
    const r = update(['-o', o, '--accept', '/etc/ssh/*', '/etc/sshd_config', '/usr/**/nothing']);
    expect(r.stderr).toBe(
      'driftscan: refused: --accept /etc/sshd_config accepts nothing in this report\n' +
      'driftscan: refused: --accept /usr/**/nothing accepts nothing in this report\n' +
      'driftscan: error: 2 --accept rule(s) accept nothing; nothing written\n');
    expect(r.code).toBe(26);
    expect(fs.existsSync(o)).toBe(false);
  });

  it('--accept explained on a report with nothing explained accepts nothing', () => {
    const r = update(['-o', out()]);
    expect(r.stderr).toBe('driftscan: refused: --accept explained accepts nothing in this report\ndriftscan: error: 1 --accept rule(s) accept nothing; nothing written\n');
    expect(r.code).toBe(26);
  });

  it('a relative glob or an empty --accept is a usage error', () => {
    const r = update(['-o', out(), '--accept', 'etc/ssh/sshd_config']);
    expect(r.stderr).toBe("driftscan: error: --accept takes explained, all or an absolute path glob, not 'etc/ssh/sshd_config'\n");
    expect(r.code).toBe(16);
    const e = update(['-o', out(), '--accept', '']);
    expect(e.code).toBe(16);
  });

  it('the wrong public key, or no --key, is refused before anything is read', () => {
    const other = keygen(path.join(tempDir('ds-other-key-'), 'k'));
    const r = driftscan(['update', baseline, '--report', report, '--key', cli.key, '--pubkey', other.pub, '-o', out(), '--accept', 'all']);
    expect(r.stderr).toMatch(/^driftscan: error: baseline signature does not verify with this public key/);
    expect(r.code).toBe(19);
    const k = driftscan(['update', baseline, '--report', report, '--pubkey', cli.pub, '-o', out()]);
    expect(k.stderr).toBe("error: required option '--key <file>' not specified\n");
    expect(k.code).toBe(16);
  });
});
