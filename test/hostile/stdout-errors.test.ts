/**
 * Standard output that fails. A reader that stops early (`| head`: EPIPE)
 * ends the run quietly with 141, as SIGPIPE would; a full device (ENOSPC) is
 * one line and exit 25. Never a stack trace, never exit 1 ("added").
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir } from '../helpers/tree.js';
import { CLI, driftscan, keygen } from '../helpers/cli.js';

let work: string;
let tree: string;
let key: string;
let pub: string;
let file: string;
let big: string;
const mounts: string[] = [];

beforeAll(() => {
  work = tempDir();
  const spec: Record<string, string> = {};
  for (let i = 0; i < 4000; i++) spec[`srv/d${i % 40}/file-${i}`] = `v${i}`;
  tree = systemTree(tempDir(), spec);
  big = systemTree(tempDir(), spec); // a baseline of it is far more than a pipe holds
  ({ key, pub } = keygen(path.join(work, 'k')));
  file = path.join(work, 't.dsb');
  expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
  fs.rmSync(path.join(tree, 'srv'), { recursive: true }); // 4000 "missing" lines to report
});

afterAll(() => {
  for (const dir of mounts) spawnSync('umount', ['-l', dir]);
});

/** Runs the CLI with stdout to a pipe that is closed after the first chunk; resolves with how it ended. */
function closedEarly(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; got: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = 0;
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      got = chunk.length;
      child.stdout.destroy();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr, got }));
  });
}

describe('a reader that stops early (EPIPE)', () => {
  const COMMANDS: Array<[string, () => string[]]> = [
    ['show', () => ['show', file, '--pubkey', pub]],
    ['scan, text', () => ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none']],
    ['scan, ndjson', () => ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '--format', 'ndjson']],
    ['scan -o /dev/stdout', () => ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '-o', '/dev/stdout']],
    ['baseline -o /dev/stdout', () => ['baseline', '/', '--root', big, '--key', key, '--packages', 'none', '-o', '/dev/stdout']],
  ];
  for (const [name, args] of COMMANDS) {
    it(`${name}: exit 141, nothing on stderr but the command's own notes`, async () => {
      const r = await closedEarly(args());
      expect(r.got).toBeGreaterThan(0);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(141);
      expect(r.stderr).not.toMatch(/error|at |node:|EPIPE|wrote/i);
    });
  }
});

describe('a full device (ENOSPC)', () => {
  const full = () => fs.openSync('/dev/full', 'w');
  const run = (args: string[], stdout: number) =>
    spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });

  const COMMANDS: Array<[string, () => string[]]> = [
    ['scan', () => ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none']],
    ['show', () => ['show', file, '--pubkey', pub]],
    ['verify', () => ['verify', file, '--pubkey', pub]],
    ['policy', () => ['policy']],
    ['attrs', () => ['attrs']],
    ['keygen', () => ['keygen', '--out', path.join(tempDir(), 'k')]],
  ];
  for (const [name, args] of COMMANDS) {
    it(`${name} > /dev/full: exit 25, one line`, () => {
      const fd = full();
      try {
        const r = run(args(), fd);
        expect(r.status).toBe(25);
        expect(r.stderr).toMatch(/^(driftscan: (?!error)[^\n]*\n)*driftscan: error: cannot write standard output: ENOSPC\n$/);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  it('scan > a file on a full filesystem: exit 25, one line', () => {
    const disk = tempDir('driftscan-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk]);
    mounts.push(disk);
    const fd = fs.openSync(path.join(disk, 'report'), 'w');
    try {
      const r = run(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none'], fd);
      expect(r.status).toBe(25);
      expect(r.stderr).toBe('driftscan: error: cannot write standard output: ENOSPC\n');
    } finally {
      fs.closeSync(fd);
    }
  });

  it('scan -o /dev/full: exit 25, one line naming it', () => {
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '-o', '/dev/full']);
    expect(r.code).toBe(25);
    expect(r.stderr).toBe('driftscan: error: cannot write /dev/full: ENOSPC\n');
  });
});
