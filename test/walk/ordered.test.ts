/**
 * The walk hands entries on in path byte order, one at a time: a directory's
 * own entry at its name, its subtree at name + "/" (so "/a-x" and "/a.b" come
 * between "/a" and "/a/b"), and a nested start path below an excluded
 * directory merged in among its parent's entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeTree, tempDir } from '../helpers/tree.js';
import { OrderedWalk } from '../../src/walk/ordered.js';
import { streamSnapshot, takeSnapshot } from '../../src/snapshot/snapshot.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { streamBaseline } from '../../src/baseline/build.js';
import { keys } from '../helpers/lib.js';

const byteSorted = (paths: string[]) => [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function tree(): string {
  return makeTree(tempDir(), {
    'a/b': 'x', 'a/sub/deep/f': 'd', 'a/sub/other': 'o', 'a-x/c': 'y', 'a.b': 'z', 'a0/d': 'w', 'a/z-y': 'q', 'b\\xff/e': 'e', 'b/e': 'e',
  });
}

describe('the ordered walk', () => {
  it('emits every path in byte order, the subtree after its siblings that sort before "/"', () => {
    const root = tree();
    const walk = new OrderedWalk({ root, policy: parsePolicy('include /\n') });
    const paths = [...walk.steps()].map((s) => s.entry.path);
    expect(paths).toEqual(byteSorted(paths));
    expect(paths.indexOf('/a-x')).toBeGreaterThan(paths.indexOf('/a'));
    expect(paths.indexOf('/a-x')).toBeLessThan(paths.indexOf('/a/b'));
    expect(paths.indexOf('/a0')).toBeGreaterThan(paths.indexOf('/a/z-y'));
    expect(paths).toContain('/b\xff/e');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('merges a start path below an excluded directory in among its parent\'s entries', () => {
    const root = tree();
    const walk = new OrderedWalk({ root, policy: parsePolicy('include /\nexclude /a/sub\ninclude /a/sub/deep\n') });
    const paths = [...walk.steps()].map((s) => s.entry.path);
    expect(paths).toEqual(byteSorted(paths));
    expect(paths).toContain('/a/sub/deep/f');
    expect(paths).not.toContain('/a/sub/other');
    expect(paths).not.toContain('/a/sub');
  });
});

describe('the streamed snapshot', () => {
  it('hands on each entry complete, in order, as takeSnapshot lists them', async () => {
    const root = tree();
    const policy = parsePolicy('include /\n');
    const streamed: string[] = [];
    const summary = await streamSnapshot({ root, policy, jobs: 2 }, (e) => {
      expect(e.kind !== 'file' || typeof e.attrs.sha256 === 'string').toBe(true);
      streamed.push(JSON.stringify(e));
    });
    const whole = await takeSnapshot({ root, policy, jobs: 1 });
    expect(summary.entries).toBe(whole.entries.length);
    expect(streamed).toEqual(whole.entries.map((e) => JSON.stringify(e)));
  });

  it('extraDigests: more algorithms hashed in the same read, handed to take(), never recorded in the entry', async () => {
    const root = tree();
    const policy = parsePolicy('include /\n');
    const taken = new Map<string, Record<string, string>>();
    const asked: string[] = [];
    const entries: Array<Record<string, unknown>> = [];
    await streamSnapshot({
      root, policy, jobs: 2,
      extraDigests: {
        algosFor: (p) => (asked.push(p), p.endsWith('/e') ? ['md5', 'sha256'] : undefined),
        take: (p, d) => taken.set(p, d),
      },
    }, (e) => void entries.push(e.attrs));
    expect(asked).toContain('/a/b');
    expect([...taken.keys()].sort()).toEqual(['/b/e', '/b\xff/e']);
    const content = fs.readFileSync(path.join(root, 'b/e'));
    expect(taken.get('/b/e')).toEqual({
      md5: createHash('md5').update(content).digest('hex'), sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(entries.some((a) => 'md5' in a)).toBe(false);
  });
});

describe('the streamed baseline', () => {
  it('has the very bytes of the in-memory one, at every --jobs', async () => {
    const root = tree();
    const policy = parsePolicy('include /\n');
    const opts = { root, policy, signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', packages: undefined };
    const inMemory = await buildBaseline({ ...opts, jobs: 1 });
    const whole = seal(inMemory, keys.privateKey);
    for (const jobs of [1, 3]) {
      const parts: Buffer[] = [];
      const written = await streamBaseline({ ...opts, jobs }, (b) => void parts.push(Buffer.from(b)));
      expect(Buffer.concat(parts).equals(whole), `jobs ${jobs}`).toBe(true);
      expect(written.entries).toBe(inMemory.entries.length);
      expect(written.header).toEqual(inMemory.header);
    }
  });
});
