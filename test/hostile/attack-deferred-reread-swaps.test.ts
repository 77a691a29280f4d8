/**
 * Attack: between a hash worker's read of a changed file and the scan's
 * second read of it on the main thread (the deferred xxh64, deferred.ts),
 * the intruder swaps what is at the path: a FIFO (a read would block the
 * scan for ever), the directory on the way for a link to one holding a
 * FIFO or a file by that name (the lstat follows the directory link), or
 * the file for one with other bytes. The second read must neither hang nor
 * read (nor touch the atime of) anything outside the root, and a file whose
 * bytes differ from what the worker digested keeps neither digest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WeakDigestDeferral } from '../../src/snapshot/deferred.js';
import { SHA256_LEFT_XXH64, walkedWithDeferred } from '../helpers/deferred.js';
import { tempDir } from '../helpers/tree.js';
import type { Entry } from '../../src/types.js';

const walked = walkedWithDeferred;
const SPLIT = SHA256_LEFT_XXH64;

/** Neither digest stands, each untested for `why`. */
function expectNeither(now: Entry, why: string) {
  expect(now.attrs).toEqual({ size: now.attrs.size });
  expect(now.untested).toEqual({ sha256: why, xxh64: why });
}

describe('the deferred second read, after a swap', () => {
  it('does not open a FIFO swapped in for the file (no hang)', () => {
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    fs.rmSync(path.join(root, 'srv/f'));
    execFileSync('mkfifo', [path.join(root, 'srv/f')]);
    new WeakDigestDeferral(root).settle(now, old, SPLIT);
    expectNeither(now, 'NOTREG');
  });

  it('does not open a FIFO reached through a directory swapped for a link out of the root', () => {
    const outside = tempDir();
    execFileSync('mkfifo', [path.join(outside, 'f')]);
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    fs.renameSync(path.join(root, 'srv'), path.join(root, 'srv.gone'));
    fs.symlinkSync(outside, path.join(root, 'srv'));
    new WeakDigestDeferral(root).settle(now, old, SPLIT);
    expect(now.attrs.sha256).toBeUndefined();
    expect(now.attrs.xxh64).toBeUndefined();
  });

  it('leaves the atime of a file out of the root, reached through a swapped directory, as it was', () => {
    const outside = tempDir();
    const secret = path.join(outside, 'f');
    fs.writeFileSync(secret, 'trojan v2\n');
    // atime not after mtime: under relatime any read would move it.
    fs.utimesSync(secret, new Date(1_600_000_000_000), new Date(1_600_000_100_000));
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    fs.renameSync(path.join(root, 'srv'), path.join(root, 'srv.gone'));
    fs.symlinkSync(outside, path.join(root, 'srv'));
    new WeakDigestDeferral(root).settle(now, old, SPLIT);
    expect(fs.statSync(secret).atimeMs).toBe(1_600_000_000_000);
    expect(now.attrs.sha256).toBeUndefined();
    expect(now.attrs.xxh64).toBeUndefined();
  });

  it('keeps neither digest when the bytes changed again before the second read (same size), and the in-root atime is kept', () => {
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    const full = path.join(root, 'srv/f');
    fs.writeFileSync(full, 'trojan v3\n');
    fs.utimesSync(full, new Date(1_600_000_000_000), new Date(1_600_000_100_000));
    new WeakDigestDeferral(root).settle(now, old, SPLIT);
    expectNeither(now, 'CHANGED');
    expect(fs.statSync(full).atimeMs).toBe(1_600_000_000_000);
  });

  it('takes the xxh64 of the bytes the worker digested when a copy of them (another inode) was swapped in', () => {
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    const full = path.join(root, 'srv/f');
    fs.rmSync(full);
    fs.writeFileSync(full, 'trojan v2\n');
    const before = now.attrs.sha256;
    new WeakDigestDeferral(root).settle(now, old, SPLIT);
    expect(now.attrs.sha256).toBe(before);
    expect(now.attrs.xxh64).toBe(execFileSync('xxhsum', ['-H64', full], { encoding: 'utf8' }).split(' ')[0]);
    expect(now.untested).toBeUndefined();
  });
});
