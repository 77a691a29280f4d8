/**
 * More workers than cores, and a low open-file limit: the results are the
 * same as with one worker; a limit too low to load driftscan is one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { CLI, driftscan, keygen } from '../helpers/cli.js';

let work: string;
let tree: string;
let file: string;
let pub: string;
let key: string;
let expected: string;

function withFileLimit(limit: number, args: string[]) {
  const r = spawnSync('bash', ['-c', `ulimit -n ${limit}; exec "$0" "$@"`, process.execPath, CLI, ...args], {
    encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = tempDir();
  const spec: Record<string, string> = {};
  for (let i = 0; i < 1500; i++) spec[`srv/d${i % 25}/f${i}`] = `file ${i}\n`.repeat(i % 7);
  tree = systemTree(tempDir(), spec);
  ({ key, pub } = keygen(path.join(work, 'k')));
  file = path.join(work, 'one.dsb');
  expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none', '--jobs', '1']).code).toBe(0);
  for (let i = 0; i < 1500; i += 100) fs.appendFileSync(at(tree, `srv/d${i % 25}/f${i}`), 'tampered');
  const one = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '--jobs', '1']);
  expect(one.code).toBe(4);
  expected = one.stdout;
});

describe('load', () => {
  it('--jobs 16 on two cores: the same baseline bytes and the same report as --jobs 1', () => {
    const sixteen = path.join(work, 'sixteen.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', sixteen, '--packages', 'none', '--jobs', '16']).code).toBe(0);
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '--jobs', '16']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(expected);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('S.5'))).toHaveLength(15);
    // A baseline of the tampered tree taken with 16 workers equals one taken with 1.
    const single = path.join(work, 'single.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', single, '--packages', 'none', '--jobs', '1']).code).toBe(0);
    expect(fs.readFileSync(sixteen).equals(fs.readFileSync(single))).toBe(true);
  });

  // 256, not 64: Node reads driftscan's ~150 modules several at a time, and on a busy machine
  // that alone has held more than 64 files open at once (the next test).
  it('ulimit -n 256 with --jobs 64: workers lowered with a warning, the same report', () => {
    const r = withFileLimit(256, ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '--jobs', '64']);
    expect(r.stderr).toBe('driftscan: warning: 64 hash workers lowered to 28: only 256 open files allowed (ulimit -n)\n');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(expected);
    const out = path.join(work, 'limited.dsb');
    const b = withFileLimit(256, ['baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none', '--jobs', '64']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toMatch(/untested|could not/);
  });

  it('ulimit -n 32: too few to load driftscan at all, said in one line with the internal-error status, not a stack trace', () => {
    for (const args of [['--version'], ['scan', file, '--pubkey', pub, '--root', tree]]) {
      const r = withFileLimit(32, args);
      expect(r.stderr).toBe('driftscan: internal error: cannot load driftscan: too many open files (ulimit -n is too low)\n');
      expect([r.code, r.stdout]).toEqual([23, '']);
    }
  });
});
