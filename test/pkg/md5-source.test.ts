/**
 * md5InRoot: the md5 of packaged files, from the walk when it knows them,
 * else read inside the root: on this thread when there is little to read, in
 * the hash pool when there is much (many files, or many bytes). Either way the
 * same digests, and an error (never a digest) for what is not a regular file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { md5InRoot } from '../../src/pkg/md5-source.js';
import { tempDir } from '../helpers/tree.js';

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function rootWith(count: number, big = 0): { root: string; paths: string[] } {
  const root = tempDir('ds-md5-source-');
  made.push(root);
  fs.mkdirSync(join(root, 'd'));
  const paths = Array.from({ length: count }, (_, i) => `/d/f${i}`);
  paths.forEach((p, i) => fs.writeFileSync(join(root, p), `file ${i}\n`));
  if (big > 0) {
    fs.writeFileSync(join(root, 'big'), Buffer.alloc(big, 7));
    paths.push('/big');
  }
  return { root, paths };
}

describe('md5InRoot', () => {
  it.each([
    ['a few files, on this thread', 10, 0],
    ['more files than a thread takes, in the pool', 2100, 0],
    ['more bytes than a thread takes, in the pool', 3, 17 * 1024 ** 2],
  ])('%s: the files\' own md5s', async (_what, count, big) => {
    const { root, paths } = rootWith(count, big);
    const got = await md5InRoot(root, paths);
    expect(got.size).toBe(paths.length);
    for (const p of paths) expect(got.get(p)).toEqual({ md5: md5(fs.readFileSync(join(root, p))) });
  }, 60_000);

  it('takes what the walk knows, and gives an error for a directory or a missing file', async () => {
    const { root } = rootWith(2);
    const known = (p: string) => (p === '/d/f0' ? 'from the walk' : undefined);
    const got = await md5InRoot(root, ['/d/f0', '/d/f1', '/d', '/d/none'], { known });
    expect(got.get('/d/f0')).toEqual({ md5: 'from the walk' });
    expect(got.get('/d/f1')).toEqual({ md5: md5('file 1\n') });
    expect(got.get('/d')).toEqual({ error: 'NOTREG' });
    expect(got.get('/d/none')).toEqual({ error: 'ENOENT' });
  });
});
