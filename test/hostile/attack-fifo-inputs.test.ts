/**
 * Tired operator: an input named on the command line is a FIFO nobody writes
 * to (a leftover from `mkfifo`, a wrong path). open(2) blocked forever, and
 * since the read is synchronous even SIGTERM and Ctrl-C could not end it (the
 * handlers run on the event loop): only SIGKILL did. Now each is refused at
 * once with its documented code. Pipes with a writer still work, and `scan`
 * of a baseline from a pipe works too (it read the baseline a second time
 * after the walk, and a pipe's second read was empty: exit 18, "changed").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, driftscan, srvBaseline } from '../helpers/cli.js';

let dir: string;
let root: string;
let fifo: string;
let file: string;
let keys: { key: string; pub: string };

beforeAll(() => {
  ({ dir, root, file, keys } = srvBaseline('ds-fifo-in-'));
  fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});

/** The CLI with a deadline: a hang shows as code -1 (killed), never as a pass. */
function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', input, env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('a FIFO with no writer as an input', () => {
  it.each([
    ['the baseline of scan', () => ['scan', fifo, '--pubkey', keys.pub, '--root', root], 18, /not a driftscan baseline/],
    ['the baseline of verify', () => ['verify', fifo, '--pubkey', keys.pub], 18, /not a driftscan baseline/],
    ['--pubkey', () => ['scan', file, '--pubkey', fifo, '--root', root], 21, /is not an Ed25519 public key/],
    ['--rules of scan', () => ['scan', file, '--pubkey', keys.pub, '--root', root, '--rules', fifo], 22, /no include directive/],
    ['policy --check', () => ['policy', '--check', fifo], 22, /no include directive/],
    ['--key', () => ['baseline', '/srv', '--root', root, '--key', fifo, '-o', path.join(dir, 'x.dsb')], 21, /is not a regular file/],
  ])('%s is refused at once', (_what, args, code, message) => {
    const r = run(args());
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(code);
  });
});

/** The CLI with `<(cat FILE)` (a pipe, as bash makes it) in place of each `%` argument. */
function throughPipe(args: string[], from: string, env: Record<string, string> = {}) {
  const words = args.map((a, i) => (a === '%' ? '<(cat "$1")' : `"\${${i + 2}}"`)).join(' ');
  const r = spawnSync('/bin/bash', ['-c', `"$0" ${words}`, process.execPath, from, ...args], {
    encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('a pipe with a writer', () => {
  it('is read by scan as the baseline (kept, not read twice), and by verify', () => {
    const scan = throughPipe([CLI, 'scan', '%', '--pubkey', keys.pub, '--root', root], file);
    expect(scan.stderr).toBe('');
    expect(scan.stdout).toMatch(/# driftscan: clean: .*; 2 entries compared/);
    expect(scan.code).toBe(0);
    expect(throughPipe([CLI, 'verify', '%', '--pubkey', keys.pub], file).code).toBe(0);
  });

  it('is copied by scan into a file of its own outside the root, gone before the walk (nothing left in TMPDIR)', () => {
    const tmp = fs.mkdtempSync(path.join(dir, 'private-tmp-'));
    const scan = throughPipe([CLI, 'scan', '%', '--pubkey', keys.pub, '--root', root], file, { TMPDIR: tmp });
    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
    // A damaged copy is refused like a damaged file.
    const bad = path.join(dir, 'bad.dsb');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100]! ^= 1;
    fs.writeFileSync(bad, bytes);
    const refused = throughPipe([CLI, 'scan', '%', '--pubkey', keys.pub, '--root', root], bad, { TMPDIR: tmp });
    expect(refused.code).toBe(19);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
