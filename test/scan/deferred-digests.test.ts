/**
 * A scan hashes a file's sha256 only and takes its xxh64 from the baseline
 * when the sha256 is the baseline's (snapshot/deferred.ts); a changed or new
 * file is read again for its xxh64, with its sha256 again, and a file whose
 * content changed between the two reads has neither digest (CHANGED), never
 * two digests of two contents. Checked against sha256sum and xxhsum -H1.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineFile, keys, scanTree, takeBaseline, treePolicy } from '../helpers/lib.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { streamSnapshot } from '../../src/snapshot/snapshot.js';
import { WeakDigestDeferral, type DeferredDigests } from '../../src/snapshot/deferred.js';
import type { Entry } from '../../src/types.js';

/** What a file recording sha256 and xxh64 leaves for the scan. */
const LEFT: DeferredDigests = { hashed: ['sha256'], deferred: ['xxh64'] };

const sum = (cmd: string, file: string) => execFileSync(cmd, cmd === 'xxhsum' ? ['-H1', file] : [file], { encoding: 'utf8' }).split(' ')[0];

describe('deferred weak digests', () => {
  it('are not computed by the walk: the sink is told which are left', async () => {
    const root = makeTree(tempDir(), { 'srv/a': 'alpha\n', 'var/log/app.log': 'line\n' });
    const got = new Map<string, { entry: Entry; deferred?: DeferredDigests }>();
    await streamSnapshot({ root, policy: treePolicy('growing /var/log/app.log\n'), jobs: 1, deferWeakDigests: { active: true } }, (entry, deferred) => {
      got.set(entry.path, { entry, deferred });
    });
    const a = got.get('/srv/a')!;
    expect(a.entry.attrs.sha256).toBe(sum('sha256sum', path.join(root, 'srv/a')));
    expect(a.entry.attrs.xxh64).toBeNull();
    expect(a.deferred).toEqual(LEFT);
    // A growing log's digests are compared by prefix: both computed.
    const log = got.get('/var/log/app.log')!;
    expect(log.deferred).toBeUndefined();
    expect(log.entry.attrs.xxh64).toBe(sum('xxhsum', path.join(root, 'var/log/app.log')));
  });

  it('a scan reports the xxh64 of changed and added files as xxhsum gives them', async () => {
    const dir = tempDir();
    const root = makeTree(dir, { 'srv/same': 'same\n', 'srv/edited': 'version 1\n', 'srv/grown': 'short\n' });
    const file = baselineFile(dir);
    await takeBaseline(root, file);
    const old = { edited: sum('xxhsum', path.join(root, 'srv/edited')), grown: sum('xxhsum', path.join(root, 'srv/grown')) };
    fs.writeFileSync(path.join(root, 'srv/edited'), 'version 2\n');
    fs.writeFileSync(path.join(root, 'srv/grown'), 'much longer now\n');
    fs.writeFileSync(path.join(root, 'srv/new'), 'new\n');
    const { report } = await scanTree(root, file);
    const xxh = (p: string) => report.findings.find((f) => f.path === p)?.deltas.find((d) => d.attr === 'xxh64');
    expect(xxh('/srv/edited')).toEqual({ attr: 'xxh64', old: old.edited, new: sum('xxhsum', path.join(root, 'srv/edited')) });
    expect(xxh('/srv/grown')).toEqual({ attr: 'xxh64', old: old.grown, new: sum('xxhsum', path.join(root, 'srv/grown')) });
    expect(report.findings.find((f) => f.path === '/srv/same')).toBeUndefined();
    expect(report.findings.find((f) => f.path === '/srv/new')?.status).toBe('added');
  });

  describe('WeakDigestDeferral.settle', () => {
    function walked(root: string, rel: string, content: string): Entry {
      const full = path.join(root, rel);
      fs.writeFileSync(full, content);
      const st = fs.lstatSync(full);
      return { path: `/${rel}`, kind: 'file', attrs: { size: st.size, sha256: sum('sha256sum', full), xxh64: null } };
    }

    it('takes the baseline\'s xxh64 when the sha256 is the baseline\'s, without reading the file', () => {
      const root = tempDir();
      const now = walked(root, 'f', 'content\n');
      const old: Entry = { path: '/f', kind: 'file', attrs: { size: 8, sha256: now.attrs.sha256!, xxh64: 'from the baseline' } };
      fs.rmSync(path.join(root, 'f'));
      new WeakDigestDeferral(root).settle(now, old, LEFT);
      expect(now.attrs).toEqual({ size: 8, sha256: old.attrs.sha256, xxh64: 'from the baseline' });
      expect(now.deferred).toBeUndefined();
      expect(now.untested).toBeUndefined();
    });

    it('reads a changed file again for its xxh64', () => {
      const root = tempDir();
      const now = walked(root, 'f', 'content\n');
      const old: Entry = { path: '/f', kind: 'file', attrs: { size: 8, sha256: 'ab'.repeat(32), xxh64: '0123456789abcdef' } };
      new WeakDigestDeferral(root).settle(now, old, LEFT);
      expect(now.attrs.xxh64).toBe(sum('xxhsum', path.join(root, 'f')));
      expect(now.attrs.sha256).toBe(sum('sha256sum', path.join(root, 'f')));
      new WeakDigestDeferral(root).settle(now, old, LEFT);
      const added = walked(root, 'g', 'added\n');
      new WeakDigestDeferral(root).settle(added, undefined, LEFT);
      expect(added.attrs.xxh64).toBe(sum('xxhsum', path.join(root, 'g')));
    });

    it('stops deferring once 64 MiB were read again (a host whose files mostly changed)', () => {
      const root = tempDir();
      const deferral = new WeakDigestDeferral(root);
      const big = 'x'.repeat(20 * 1024 * 1024);
      const old: Entry = { path: '/big', kind: 'file', attrs: { size: big.length, sha256: 'ab'.repeat(32), xxh64: '0123456789abcdef' } };
      for (let i = 1; i <= 4; i++) {
        expect(deferral.active, `after ${i - 1} reads`).toBe(true);
        const now = walked(root, 'big', big);
        deferral.settle(now, old, LEFT);
        expect(now.attrs.xxh64).toBe(sum('xxhsum', path.join(root, 'big')));
      }
      expect(deferral.active).toBe(false);
    });

    it('gives neither digest of a file whose content changed between the reads, or that is no longer a file', () => {
      const root = tempDir();
      const now = walked(root, 'f', 'content\n');
      // Same size, same inode, other bytes: the walk's sha256 is of content that is gone.
      fs.writeFileSync(path.join(root, 'f'), 'CONTENT\n');
      new WeakDigestDeferral(root).settle(now, undefined, LEFT);
      expect(now.attrs).toEqual({ size: 8 });
      expect(now.untested).toEqual({ sha256: 'CHANGED', xxh64: 'CHANGED' });
      const replaced = walked(root, 'g', 'content\n');
      fs.rmSync(path.join(root, 'g'));
      fs.mkdirSync(path.join(root, 'g'));
      new WeakDigestDeferral(root).settle(replaced, undefined, LEFT);
      expect(replaced.attrs).toEqual({ size: 8 });
      expect(replaced.untested).toEqual({ sha256: 'NOTREG', xxh64: 'NOTREG' });
    });

    it('takes the digests of another inode with the same bytes (the same content has the same xxh64)', () => {
      const root = tempDir();
      const now = walked(root, 'g', 'content\n');
      fs.writeFileSync(path.join(root, 'h'), 'content\n');
      fs.renameSync(path.join(root, 'h'), path.join(root, 'g'));
      new WeakDigestDeferral(root).settle(now, undefined, LEFT);
      expect(now.attrs.xxh64).toBe(sum('xxhsum', path.join(root, 'g')));
      expect(now.untested).toBeUndefined();
    });
  });
});
