/**
 * Attack: the intruder swaps a changed file between the worker's read and the
 * main thread's second read for its deferred xxh64 (snapshot/deferred.ts):
 * for a symlink out of the root, or its directory for a symlink to the
 * scanning host's /etc. The second read must not follow either, must not
 * read the host's file, must not change an atime, and the entry must end
 * with no digest (never the host file's, never a digest of another content).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { WeakDigestDeferral } from '../../src/snapshot/deferred.js';
import { walkedWithDeferred } from '../helpers/deferred.js';

const walked = walkedWithDeferred;

describe('the deferred xxh64 read again, after a swap', () => {
  it('does not follow a file swapped for a symlink out of the root', () => {
    const outside = tempDir();
    const secret = path.join(outside, 'secret');
    fs.writeFileSync(secret, 'host secret\n');
    const atime = fs.statSync(secret).atimeMs;
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    fs.rmSync(path.join(root, 'srv/f'));
    fs.symlinkSync(secret, path.join(root, 'srv/f'));
    new WeakDigestDeferral(root).settle(now, old, { hashed: ['sha256'], deferred: ['xxh64'] });
    expect(now.attrs).toEqual({ size: 10 });
    expect(Object.keys(now.untested!)).toEqual(['sha256', 'xxh64']);
    expect(fs.statSync(secret).atimeMs).toBe(atime);
  });

  it('does not read through a directory swapped for a symlink out of the root', () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'f'), 'trojan v2\n');
    const root = tempDir();
    const { now, old } = walked(root, 'srv/f', 'trojan v2\n');
    // The same name and bytes out there: only the directory on the way differs.
    fs.renameSync(path.join(root, 'srv'), path.join(root, 'srv.gone'));
    fs.symlinkSync(outside, path.join(root, 'srv'));
    new WeakDigestDeferral(root).settle(now, old, { hashed: ['sha256'], deferred: ['xxh64'] });
    expect(now.attrs).toEqual({ size: 10 });
    expect(Object.keys(now.untested!)).toEqual(['sha256', 'xxh64']);
  });
});
