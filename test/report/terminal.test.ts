/**
 * Colour and progress only for a person at a terminal, tested on a real
 * pseudo-terminal: colour when standard output is one (never with NO_COLOR
 * set to any value, --no-color, -o, a pipe, or a machine format), progress
 * when standard error is one; escapes never let a name's bytes through.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';
import { onTerminal } from '../helpers/pty.js';
import { progressText } from '../../src/cli/terminal.js';

const SGR = /\x1b\[(?:0|2|31|32|1;31)m/g;
const NAME = 'usr/bin/ev\\x1b[2J\\x1b[31mil\\x9b0m';

let work: string;
let root: string;
let file: string;
let keys: { key: string; pub: string };

beforeAll(() => {
  work = tempDir('ds-tty-');
  keys = keygen(path.join(work, 'k'));
  root = systemTree(path.join(work, 'root'), { 'etc/hosts': '127.0.0.1 localhost\n' });
  file = path.join(work, 'b.dsb');
  expect(driftscan(['baseline', '--root', root, '--key', keys.key, '-o', file, '--packages', 'none']).code).toBe(0);
  fs.appendFileSync(path.join(root, 'etc/hosts'), '10.0.0.1 evil\n');
  fs.writeFileSync(at(root, NAME), 'x');
});

const scanArgs = (...more: string[]) => ['scan', file, '--pubkey', keys.pub, '--root', root, '--packages', 'none', ...more];

describe('colour', () => {
  it('on a terminal: unexplained lines red, the verdict bold red, and only those escapes', () => {
    const tty = onTerminal(scanArgs(), { stdout: true });
    expect(tty.code).toBe(1 | 4);
    const lines = tty.stdout.split('\n');
    expect(lines.find((l) => l.includes('/etc/hosts'))).toMatch(/^\x1b\[31m\S{9} {2}c \/etc\/hosts .*\x1b\[0m$/);
    expect(lines.find((l) => l.includes('# driftscan:'))).toMatch(/^\x1b\[1;31m# driftscan: NOT clean: .*\x1b\[0m$/);
    // Take driftscan's own colour away: what is left is the plain report, byte for byte, with no escape in it.
    const plain = driftscan(scanArgs());
    expect(tty.stdout.replace(SGR, '')).toBe(plain.stdout);
    expect(tty.stdout.replace(SGR, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(plain.stdout).toContain('added       /usr/bin/ev\\x1b[2J\\x1b[31mil\\x9b0m');
  });

  it('never with NO_COLOR set (even empty), --no-color, -o, a pipe, or a machine format', () => {
    const cases = [
      onTerminal(scanArgs(), { stdout: true }, { NO_COLOR: '' }),
      onTerminal(scanArgs(), { stdout: true }, { NO_COLOR: '1' }),
      onTerminal(scanArgs('--no-color'), { stdout: true }),
      onTerminal(scanArgs(), { stdout: false, stderr: true }),
      onTerminal(scanArgs('--format', 'json'), { stdout: true }),
      onTerminal(scanArgs('--summary'), { stdout: true }),
    ];
    for (const r of cases) {
      expect(r.code).toBe(1 | 4);
      expect(r.stdout).not.toMatch(/\x1b/);
    }
    const out = path.join(work, 'report.txt');
    const toFile = onTerminal(scanArgs('-o', out), { stdout: true });
    expect(toFile.code).toBe(1 | 4);
    expect(fs.readFileSync(out, 'latin1')).not.toMatch(/\x1b/);
    expect(fs.readFileSync(out, 'latin1')).toContain('/etc/hosts');
  });
});

describe('progress', () => {
  it('a scan on a terminal shows a percentage of the baseline\'s bytes; none on a pipe', () => {
    const tty = onTerminal(scanArgs('--format', 'json'), { stderr: true });
    expect(tty.code).toBe(1 | 4);
    expect(tty.stderr).toMatch(/\r\x1b\[Kscan: \d+%, \d+ entries, \d+ files, /);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    JSON.parse(tty.stdout);
    const pipe = driftscan(scanArgs('--format', 'json'));
    expect(pipe.stderr).toBe('');
  });

  it('a baseline with --previous (verified) shows a percentage; without it, counts only; never on a pipe', () => {
    const again = (extra: string[], where: { stderr?: boolean }) =>
      onTerminal(['baseline', '--root', root, '--key', keys.key, '-o', path.join(work, `n${Math.random()}.dsb`), '--packages', 'none', ...extra], where);
    const withPrevious = again(['--previous', file, '--pubkey', keys.pub], { stderr: true });
    expect(withPrevious.code).toBe(0);
    expect(withPrevious.stderr).toMatch(/\r\x1b\[Kbaseline: \d+%, \d+ entries/);
    const without = again([], { stderr: true });
    expect(without.stderr).toMatch(/\r\x1b\[Kbaseline: \d+ entries/);
    expect(without.stderr).not.toMatch(/baseline: \d+%/);
    const piped = again(['--previous', file, '--pubkey', keys.pub], {});
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/\x1b|\r/);
  });

  it('--previous is verified like any baseline: another key is exit 19, before the walk', () => {
    const other = keygen(path.join(work, `other${Math.random()}`));
    const out = path.join(work, 'never.dsb');
    const r = driftscan(['baseline', '--root', root, '--key', keys.key, '-o', out, '--previous', file, '--pubkey', other.pub]);
    expect(r.code).toBe(19);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
    const noPrevious = driftscan(['baseline', '--root', root, '--key', keys.key, '-o', out, '--pubkey', other.pub]);
    expect(noPrevious.code).toBe(16);
  });

  it('the text: percentage of bytes (entries for a tree of empty files), time left after a second, never 100% early', () => {
    const p = { entries: 50, files: 40, bytes: 2_500_000 };
    expect(progressText('scan', p, 500)).toBe('scan: 50 entries, 40 files, 2.5 MB hashed (5.0 MB/s)');
    expect(progressText('scan', p, 500, { entries: 100, bytes: 10_000_000 })).toBe('scan: 25%, 50 entries, 40 files, 2.5 MB hashed (5.0 MB/s)');
    expect(progressText('scan', p, 10_000, { entries: 100, bytes: 10_000_000 })).toBe('scan: 25%, 50 entries, 40 files, 2.5 MB hashed (250.0 KB/s), about 0:30 left');
    expect(progressText('scan', { entries: 50, files: 0, bytes: 0 }, 2_000, { entries: 200, bytes: 0 })).toMatch(/^scan: 25%, .*about 0:06 left$/);
    expect(progressText('scan', { ...p, bytes: 20_000_000 }, 3_600_000, { entries: 100, bytes: 10_000_000 })).toMatch(/^scan: 99%, .*about 0:36 left$/);
    expect(progressText('scan', p, 3_600_000, { entries: 100, bytes: 10_000_000 })).toMatch(/about 3:00:00 left$/);
  });
});

describe('colour in the text reporter', () => {
  it('explained findings and per-operation lines dim, unexplained red, a clean verdict green; nothing without colour set', async () => {
    const { REPORTERS } = await import('../../src/report/reporters.js');
    const { summarize } = await import('../../src/report/summary.js');
    const { PassThrough } = await import('node:stream');
    const op = { kind: 'upgrade' as const, name: 'hello', arch: 'all', from: '1.0', to: '1.1' };
    const explained = {
      path: '/usr/bin/hello', status: 'changed' as const, source: 'baseline' as const, flags: 'S.5....T.', marker: ' ',
      deltas: [], extra: [], untested: {}, package: 'hello', triage: 'explained' as const, evidence: { operation: op, rule: 'package-content' as const, detail: 'd' },
    };
    const render = (colour: boolean) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (b: Buffer) => (text += b.toString()));
      REPORTERS.text!({
        header: { format: 1, tool: 't', host: 'h', created: 'c', root: '/', policy: '', attrs: [], keyId: 'k', unlisted: [] },
        root: '/', findings: [explained], summary: summarize([explained], 1), diagnostics: [], explained: 'show', colour,
        packageChanges: { installed: [], removed: [], upgraded: [{ name: 'hello', arch: 'all', from: '1.0', to: '1.1' }] },
      }, out);
      return text.split('\n');
    };
    const lines = render(true);
    expect(lines[0]).toMatch(/^\x1b\[2mS\.5\.\.\.\.T\. {4}\/usr\/bin\/hello {2}\[explained by .*\x1b\[0m$/);
    expect(lines[1]).toMatch(/^\x1b\[2m# explained by upgrade hello .*: 1 path\x1b\[0m$/);
    expect(lines[2]).toMatch(/^\x1b\[32m# driftscan: clean \(1 explained changes\).*\x1b\[0m$/);
    expect(render(false).join('\n')).not.toMatch(/\x1b/);
  });
});
