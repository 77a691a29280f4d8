/**
 * The tree changes while it is walked: files vanish, appear, grow, are swapped
 * for another inode, a FIFO or a symlink, and a directory is swapped for a
 * symlink to a decoy, each right after the walker's lstat (a filesystem port
 * with side effects makes the race deterministic). The snapshot completes,
 * every such entry is untested ('?'), never a digest of what was swapped in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { treePolicy } from '../helpers/lib.js';
import { takeSnapshot, type Snapshot } from '../../src/snapshot/snapshot.js';
import { realFs, type FsPort } from '../../src/walk/fsport.js';
import { compareEntries } from '../../src/compare/compare.js';
import { summarize, exitBits } from '../../src/report/summary.js';
import type { Entry } from '../../src/types.js';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

/**
 * realFs, with a hook run once per path right after its first lstat or readdir.
 * Without the native one-descriptor listing, so that the walker's own lstat and
 * readdir calls are the ones raced (the native listing is raced below).
 */
function racyPort(root: string, afterLstat: Record<string, () => void>, afterReaddir: Record<string, () => void> = {}): FsPort {
  const fire = (hooks: Record<string, () => void>, p: Buffer) => {
    const rel = p.toString('latin1').slice(root.length) || '/';
    const hook = hooks[rel];
    if (hook) {
      delete hooks[rel];
      hook();
    }
  };
  return {
    ...realFs,
    readDirectory: undefined,
    lstat(p) {
      const st = realFs.lstat(p);
      fire(afterLstat, p);
      return st;
    },
    readdir(p) {
      const names = realFs.readdir(p);
      fire(afterReaddir, p);
      return names;
    },
  };
}

let tree: string;
let decoy: string;
let before: Snapshot;
let after: Snapshot;
const byPath = (snap: Snapshot, p: string): Entry | undefined => snap.entries.find((e) => e.path === p);

beforeAll(async () => {
  decoy = systemTree(tempDir(), { 'f': 'decoy content\n', 'extra': 'only in the decoy\n' });
  tree = systemTree(tempDir(), {
    'srv/vanish': 'about to vanish\n',
    'srv/grow': 'grows\n',
    'srv/swap': 'original\n',
    'srv/fifo-swap': 'becomes a fifo\n',
    'srv/link-swap': 'becomes a symlink\n',
    'srv/dir-swap/f': 'real content\n',
    'srv/steady': 'unchanged\n',
    'srv/later/old': 'old\n',
    'srv/trigger': 'x',
  });
  const policy = treePolicy();
  before = await takeSnapshot({ root: tree, policy, jobs: 1 });
  const p = (rel: string) => at(tree, rel);
  const port = racyPort(tree, {
    '/srv/vanish': () => fs.unlinkSync(p('srv/vanish')),
    '/srv/grow': () => fs.appendFileSync(p('srv/grow'), 'and grows\n'),
    '/srv/swap': () => {
      fs.writeFileSync(p('srv/.swap-new'), 'swapped in\n');
      fs.renameSync(p('srv/.swap-new'), p('srv/swap'));
    },
    '/srv/fifo-swap': () => {
      fs.unlinkSync(p('srv/fifo-swap'));
      execFileSync('mkfifo', [p('srv/fifo-swap').toString()]);
    },
    '/srv/link-swap': () => {
      fs.unlinkSync(p('srv/link-swap'));
      fs.symlinkSync(path.join(decoy, 'f'), p('srv/link-swap'));
    },
    '/srv/dir-swap': () => {
      fs.renameSync(p('srv/dir-swap'), p('srv/.dir-real'));
      fs.symlinkSync(decoy, p('srv/dir-swap'));
    },
    '/srv/trigger': () => fs.writeFileSync(p('srv/later/new'), 'appeared\n'),
  });
  after = await takeSnapshot({ root: tree, policy, jobs: 1, fs: port });
}, 20_000);

describe('the tree changes under the walk', () => {
  it('a file that vanishes after its lstat: untested (ENOENT), no digest', () => {
    const e = byPath(after, '/srv/vanish')!;
    expect(e.untested).toEqual({ sha256: 'ENOENT', xxh64: 'ENOENT' });
    expect(e.attrs.sha256).toBeUndefined();
  });

  it('a file that grows after its lstat: untested (CHANGED), no digest', () => {
    const e = byPath(after, '/srv/grow')!;
    expect(e.untested).toEqual({ sha256: 'CHANGED', xxh64: 'CHANGED' });
    expect(e.attrs.sha256).toBeUndefined();
  });

  it('a file swapped for another inode: untested (SWAPPED), never the new file\'s digest under the old stat', () => {
    const e = byPath(after, '/srv/swap')!;
    expect(e.untested).toEqual({ sha256: 'SWAPPED', xxh64: 'SWAPPED' });
    expect(after.entries.some((x) => x.attrs.sha256 === sha('swapped in\n'))).toBe(false);
  });

  it('a FIFO with no writer swapped in before the open: not blocked on, untested (NOTREG)', () => {
    // Reaching here at all means the open did not block (beforeAll would time out).
    expect(byPath(after, '/srv/fifo-swap')!.untested).toEqual({ sha256: 'NOTREG', xxh64: 'NOTREG' });
  });

  it('a symlink swapped in before the open is not followed (ELOOP)', () => {
    expect(byPath(after, '/srv/link-swap')!.untested).toEqual({ sha256: 'ELOOP', xxh64: 'ELOOP' });
  });

  it('a directory swapped for a symlink to a decoy: its listing is refused, nothing of the decoy is recorded', () => {
    expect(after.unlisted.get('/srv/dir-swap')).toBe('SWAPPED');
    const under = after.entries.filter((x) => x.path.startsWith('/srv/dir-swap/'));
    expect(under).toEqual([]);
    expect(after.entries.some((x) => x.attrs.sha256 === sha('decoy content\n'))).toBe(false);
  });

  it('a file that appears during the walk is absent or recorded with its own digest', () => {
    const e = byPath(after, '/srv/later/new');
    if (e) expect(e.attrs.sha256).toBe(sha('appeared\n'));
    expect(byPath(after, '/srv/later/old')!.attrs.sha256).toBe(sha('old\n'));
  });

  it('everything else is hashed as usual, and compared with the earlier snapshot the result is never clean', () => {
    expect(byPath(after, '/srv/steady')!.attrs.sha256).toBe(sha('unchanged\n'));
    const findings = compareEntries(before.entries, after.entries, { unlisted: after.unlisted });
    const status = (p: string) => findings.find((f) => f.path === p);
    expect(status('/srv/swap')).toMatchObject({ status: 'untested', flags: '..?......' });
    expect(status('/srv/vanish')).toMatchObject({ status: 'untested', flags: '..?......' });
    // The real directory's file is not "missing": it is below a directory that could not be listed.
    expect(status('/srv/dir-swap/f')).toMatchObject({ status: 'untested' });
    expect(status('/srv/steady')).toBeUndefined();
    const summary = summarize(findings, after.entries.length);
    expect(summary.clean).toBe(false);
    expect(exitBits(summary) & 8).toBe(8);
  });
});

describe('a directory swapped after its listing', () => {
  it('children lstat-ed through a symlink swapped in after readdir are dropped, the directory reported', async () => {
    const t = systemTree(tempDir(), { 'srv/d/f': 'real content\n' });
    const d = systemTree(tempDir(), { 'f': 'decoy content\n' });
    const port = racyPort(t, {}, {
      '/srv/d': () => {
        fs.renameSync(at(t, 'srv/d'), at(t, 'srv/.d-real'));
        fs.symlinkSync(d, at(t, 'srv/d'));
      },
    });
    const snap = await takeSnapshot({ root: t, policy: treePolicy(), jobs: 1, fs: port });
    expect(snap.unlisted.get('/srv/d')).toBe('SWAPPED');
    expect(snap.entries.find((e) => e.path === '/srv/d/f')).toBeUndefined();
    expect(snap.entries.some((e) => e.attrs.sha256 === sha('decoy content\n'))).toBe(false);
  });
});

describe('the native one-descriptor listing', () => {
  /** realFs, swapping a directory just before the walker lists it. */
  function swappingPort(t: string, dir: string, swap: () => void): FsPort {
    let done = false;
    return {
      ...realFs,
      readDirectory(p, dev, ino, skip) {
        if (!done && p.toString('latin1') === at(t, dir).toString('latin1')) {
          done = true;
          swap();
        }
        return realFs.readDirectory!(p, dev, ino, skip);
      },
    };
  }

  for (const [what, swapIn] of [
    ['a symlink to a decoy', (t: string, d: string) => fs.symlinkSync(d, at(t, 'srv/d'))],
    ['another directory', (t: string, d: string) => fs.renameSync(d, at(t, 'srv/d'))],
  ] as const) {
    it(`a directory swapped for ${what} between its lstat and its listing is reported, nothing of the decoy recorded`, async () => {
      const t = systemTree(tempDir(), { 'srv/d/f': 'real content\n' });
      const d = systemTree(tempDir(), { 'f': 'decoy content\n' });
      const port = swappingPort(t, 'srv/d', () => {
        fs.renameSync(at(t, 'srv/d'), at(t, 'srv/.d-real'));
        swapIn(t, d);
      });
      const snap = await takeSnapshot({ root: t, policy: treePolicy(), jobs: 1, fs: port });
      expect(snap.unlisted.get('/srv/d')).toBe('SWAPPED');
      expect(snap.entries.find((e) => e.path === '/srv/d/f')).toBeUndefined();
      expect(snap.entries.some((e) => e.attrs.sha256 === sha('decoy content\n'))).toBe(false);
    });
  }
});
