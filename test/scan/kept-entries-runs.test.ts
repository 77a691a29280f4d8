/**
 * KeptEntries builds its list from sorted runs (the package data's paths,
 * their merged-/usr twins) and works out the directories above them from
 * the sorted order alone. Paths whose names sort around the slash ('a-b',
 * 'a.b' before 'a/', 'a0' after it), given unsorted or twice, must give the
 * answers the plain set-based rules give.
 */
import { describe, expect, it } from 'vitest';
import { KeptEntries } from '../../src/scan/walked-entries.js';
import { comparePaths } from '../../src/paths.js';
import type { BytePath, Entry } from '../../src/types.js';

const MERGED = /^\/(bin|sbin|lib|lib32|lib64|libx32)\//;

/** Every wanted path, its merged-/usr twin and its directories in sets. */
function plainRules(paths: BytePath[], starts: BytePath[]) {
  const wanted = new Set<BytePath>();
  const dirs = new Set<BytePath>(['/']);
  const want = (path: BytePath) => {
    wanted.add(path);
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) dirs.add(path.slice(0, cut));
  };
  for (const p of paths) {
    want(p);
    if (MERGED.test(p)) want('/usr' + p);
    else if (p.startsWith('/usr/') && MERGED.test(p.slice(4))) want(p.slice(4));
  }
  for (const p of starts) want(p);
  return { wanted, dirs };
}

const NAMES = ['a', 'a-b', 'a.b', 'a0', 'b', 'bin', 'lib', 'lib64', 'sbin', 'usr', 'x y', '\xff'];

/** A fixed pseudo-random sequence: the same paths every run. */
function generator(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
}

describe('KeptEntries from sorted runs', () => {
  it('knows and keeps what the plain rules do, for paths around the slash, sorted or not', () => {
    const rand = generator(7);
    for (let round = 0; round < 300; round++) {
      const paths: BytePath[] = [];
      for (let i = 0; i < 25; i++) {
        let p = '';
        for (let depth = 1 + Math.floor(rand() * 4); depth > 0; depth--) p += '/' + NAMES[Math.floor(rand() * NAMES.length)];
        paths.push(p);
      }
      const sorted = [...new Set(paths)].sort(comparePaths);
      const given = round % 2 ? sorted : paths;
      const starts = round % 3 ? ['/usr'] : [];
      const kept = new KeptEntries(given, starts);
      const { wanted, dirs } = plainRules(paths, starts);
      // Every path the rules name and every directory above one, offered in walk order as a dir or a file.
      const walk = [...new Set([...wanted, ...dirs, '/zz', '/a/zz'])].sort(comparePaths);
      const entries = walk.map((path): Entry => ({ path, kind: dirs.has(path) ? 'dir' : 'file', attrs: {} }));
      for (const e of entries) kept.offer(e);
      for (const e of entries) {
        const known = wanted.has(e.path) || dirs.has(e.path);
        expect(kept.knows(e.path), e.path).toBe(known);
        expect(kept.get(e.path), e.path).toBe(known ? e : undefined);
        const below = dirs.has(e.path) && walk.some((p) => p !== e.path && p.startsWith(e.path === '/' ? '/' : e.path + '/'));
        expect(kept.hasBelow(e.path), e.path).toBe(below);
      }
    }
  });

  it('keeps / and what is below it even when asked about nothing', () => {
    const kept = new KeptEntries([], []);
    const root: Entry = { path: '/', kind: 'dir', attrs: {} };
    const usr: Entry = { path: '/usr', kind: 'dir', attrs: {} };
    kept.offer(root);
    kept.offer(usr);
    expect([kept.get('/'), kept.get('/usr')]).toEqual([root, undefined]);
    expect([kept.knows('/'), kept.knows('/usr'), kept.hasBelow('/'), kept.hasBelow('/usr')]).toEqual([true, false, true, false]);
  });

  it('keeps an entry with a finding off the list, and a symlink anywhere', () => {
    const kept = new KeptEntries(['/usr/bin/ls'], []);
    const finding: Entry = { path: '/etc/shadow', kind: 'file', attrs: {} };
    const link: Entry = { path: '/opt/link', kind: 'symlink', attrs: { target: '/usr' } };
    const plain: Entry = { path: '/opt/plain', kind: 'file', attrs: {} };
    kept.keep(finding);
    for (const e of [finding, link, plain]) kept.offer(e);
    expect(kept.get('/etc/shadow')).toBe(finding);
    expect(kept.get('/opt/link')).toBe(link);
    expect(kept.get('/opt/plain')).toBeUndefined();
    expect([kept.knows('/etc/shadow'), kept.knows('/opt/link'), kept.knows('/opt/plain')]).toEqual([true, true, false]);
    expect([kept.knows('/usr/bin/ls'), kept.knows('/bin/ls'), kept.knows('/usr/bin'), kept.knows('/bin')]).toEqual([true, true, true, true]);
  });
});
