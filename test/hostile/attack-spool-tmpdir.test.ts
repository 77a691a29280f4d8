/**
 * `scan <(...)` copies the piped baseline into an unnamed file under TMPDIR
 * (outside the root). When that copy cannot be made (TMPDIR missing, not a
 * directory, full) the one stderr line says so and names TMPDIR, exit 17: an
 * operator told only "cannot read baseline /dev/fd/63: ENOENT" looks at the
 * pipe, not at TMPDIR. Nothing is written into the root meanwhile.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTree, tempDir } from '../helpers/tree.js';
import { CLI, keyedCli, type KeyedCli } from '../helpers/cli.js';

let cli: KeyedCli;
let root: string;
let file: string;

beforeAll(() => {
  cli = keyedCli();
  root = makeTree(tempDir(), { 'etc/a': 'a', 'usr/b': 'b' });
  const taken = cli.baseline(root);
  expect(taken.code).toBe(0);
  file = taken.out;
});

/** `driftscan scan <(cat FILE) --pubkey PUB --root ROOT` under bash, with TMPDIR set. */
function scanPiped(tmpdir: string) {
  const r = spawnSync('/bin/bash', ['-c', '"$0" "$1" scan <(cat "$2") --pubkey "$3" --root "$4"', process.execPath, CLI, file, cli.pub, root], {
    encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', TMPDIR: tmpdir },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('a piped baseline whose copy cannot be made', () => {
  it.each([
    ['missing', () => path.join(tempDir(), 'no-such-dir'), 'ENOENT'],
    ['a regular file', () => {
      const f = path.join(tempDir(), 'not-a-dir');
      fs.writeFileSync(f, '');
      return f;
    }, 'ENOTDIR'],
  ])('TMPDIR %s: exit 17, one line naming TMPDIR', (_what, make, code) => {
    const tmpdir = make();
    const before = fs.readdirSync(root).sort();
    const r = scanPiped(tmpdir);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`driftscan: error: cannot read baseline /dev/fd/63: cannot copy it from its pipe into ${tmpdir} (TMPDIR): ${code}\n`);
    expect(r.code).toBe(17);
    expect(fs.readdirSync(root).sort()).toEqual(before);
  });

  it('a TMPDIR with room: the same pipe scans clean', () => {
    const r = scanPiped(tempDir());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
