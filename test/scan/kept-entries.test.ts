/**
 * The entries a streamed scan keeps for the package checks: the sorted-cursor
 * KeptEntries answers every question as a plain set-based model of the same
 * rules does, on a real walked tree (merged-/usr links, symlinks, packaged
 * paths that exist, are missing, or name a file where a directory should be).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KeptEntries } from '../../src/scan/walked-entries.js';
import { takeSnapshot } from '../../src/snapshot/snapshot.js';
import type { BytePath, Entry } from '../../src/types.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { treePolicy } from '../helpers/lib.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const MERGED = /^\/(bin|sbin|lib|lib32|lib64|libx32)\//;

/** The rules, stated plainly: every wanted path, its twin and its directories in sets, hashed per entry. */
class PlainModel {
  kept = new Map<BytePath, Entry>();
  wanted = new Set<BytePath>();
  dirs = new Set<BytePath>(['/']);
  withChildren = new Set<BytePath>();

  constructor(paths: BytePath[], starts: BytePath[]) {
    for (const p of paths) {
      this.want(p);
      if (MERGED.test(p)) this.want('/usr' + p);
      else if (p.startsWith('/usr/') && MERGED.test(p.slice(4))) this.want(p.slice(4));
    }
    for (const p of starts) this.want(p);
  }

  want(path: BytePath): void {
    this.wanted.add(path);
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) this.dirs.add(path.slice(0, cut));
  }

  offer(e: Entry): void {
    const cut = e.path.lastIndexOf('/');
    const parent = cut <= 0 ? '/' : e.path.slice(0, cut);
    if (this.dirs.has(parent) && e.path !== '/') this.withChildren.add(parent);
    if (e.kind === 'symlink' || this.wanted.has(e.path) || this.dirs.has(e.path)) this.kept.set(e.path, e);
  }

  knows(path: BytePath): boolean {
    return this.wanted.has(path) || this.dirs.has(path) || this.kept.has(path);
  }
}

describe('KeptEntries', () => {
  it('keeps and knows what the plain rules keep and know, offered a real walk in order', async () => {
    const root = tempDir('driftscan-kept-');
    dirs.push(root);
    const files: Record<string, string | { symlink: string }> = {
      'bin': { symlink: 'usr/bin' },
      'lib': { symlink: 'usr/lib' },
      'usr/bin/ls': 'ls', 'usr/bin/ls-x': 'x', 'usr/bin/ls.d': 'd', 'usr/bin0': 'zero',
      'usr/lib/x86/libc.so.6': 'c', 'usr/lib/x86/link': { symlink: 'libc.so.6' }, 'usr/lib/x86-extra/a': 'a',
      'usr/share/doc/pkg/copyright': 'c', 'usr/share/doc/pkg-extra/x': 'x', 'usr/share/doc/other/y': 'y',
      'etc/conf': 'c', 'etc/conf.d/one': '1', 'opt/notadir': 'file where a directory is packaged',
      'var/empty/.keep': '',
    };
    for (let i = 0; i < 40; i++) files[`usr/share/many/f${String(i).padStart(2, '0')}`] = String(i);
    makeTree(root, files);
    const snap = await takeSnapshot({ root, policy: treePolicy(), jobs: 1 });
    const packaged = [
      '/bin/ls', '/bin/gone', '/lib/x86/libc.so.6', '/usr/bin/ls-x', '/usr/lib/x86-extra/a', '/usr/share/doc/pkg/copyright',
      '/usr/share/doc/pkg/changelog.gz', '/etc/conf', '/etc/conf.d/one', '/opt/notadir/inside', '/usr/share/many/f07',
      '/usr/share/many/f31', '/nowhere/at/all', '/usr/bin', '/usr/share/doc',
    ].sort();
    const starts = ['/', '/usr/share/many'];
    const kept = new KeptEntries(packaged, starts);
    const model = new PlainModel(packaged, starts);
    for (const e of snap.entries) {
      kept.offer(e);
      model.offer(e);
    }
    const asked = new Set<BytePath>(['/', ...snap.entries.map((e) => e.path), ...model.wanted, ...model.dirs, '/usr/bin/nothing', '/opt', '/zzz']);
    for (const p of [...asked]) for (let c = p.lastIndexOf('/'); c > 0; c = p.lastIndexOf('/', c - 1)) asked.add(p.slice(0, c));
    for (const p of asked) {
      expect(kept.get(p), p).toBe(model.kept.get(p));
      expect(kept.knows(p), p).toBe(model.knows(p));
      expect(kept.hasBelow(p), p).toBe(model.withChildren.has(p));
    }
    // The rules are not empty: each kind of answer occurs.
    expect(kept.get('/usr/bin/ls')?.kind).toBe('file');
    expect(kept.get('/opt/notadir')?.kind).toBe('file');
    expect(kept.get('/usr/lib/x86/link')?.kind).toBe('symlink');
    expect(kept.get('/usr/share/doc/other/y')).toBeUndefined();
    expect(kept.knows('/usr/share/doc/pkg/changelog.gz')).toBe(true);
    expect(kept.knows('/usr/share/doc/other/y')).toBe(false);
    expect(kept.hasBelow('/usr/share/doc')).toBe(true);
  });

  it('takes an entry offered out of walk order by looking it up', () => {
    const kept = new KeptEntries(['/a/x', '/b/y'], []);
    const entry = (path: BytePath): Entry => ({ path, kind: 'file', attrs: {} });
    kept.offer(entry('/b/y'));
    kept.offer(entry('/a/x'));
    expect([kept.get('/a/x')?.path, kept.get('/b/y')?.path]).toEqual(['/a/x', '/b/y']);
  });

  it('counts entries right under / as below it, when they are the first offered', () => {
    const kept = new KeptEntries(['/a'], []);
    for (const path of ['/', '/a', '/b']) kept.offer({ path, kind: path === '/' ? 'dir' : 'file', attrs: {} });
    expect(kept.hasBelow('/')).toBe(true);
  });
});
