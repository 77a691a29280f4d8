/** The digest code on real files: one-shot and streamed paths agree with node:crypto; the hasher is checked before use. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashFile, type Algo, type HashResult } from '../../src/hash/digest.js';
import { answerOf, BatchBuilder, resultAt, tasksOf } from '../../src/hash/batch.js';
import { checkHasherModule, loadXxh64, manifestPath, type Xxh64 } from '../../src/hash/xxh.js';
import { tempDir } from '../helpers/tree.js';

let xxh: Xxh64;
let dir: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The reference XXH64 (xxhsum, from the xxHash project), an implementation independent of the wasm kernel. */
const xxhsum = (file: string) => execFileSync('xxhsum', ['-H1', file], { encoding: 'utf8' }).split(' ')[0];

function task(file: string, extra: { prefix?: number } = {}) {
  const st = fs.statSync(file);
  return { path: Buffer.from(file).toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: ['sha256', 'xxh64'] as ('sha256' | 'xxh64')[], ...extra };
}

beforeAll(async () => {
  xxh = await loadXxh64();
  dir = tempDir();
});

describe('hashFile', () => {
  it('small files: one read, digests equal node:crypto and xxhsum', () => {
    const content = Buffer.from('hello world\n');
    const file = path.join(dir, 'small');
    fs.writeFileSync(file, content);
    const r = hashFile(task(file), xxh);
    expect(r).toEqual({ digests: { sha256: sha(content), xxh64: xxhsum(file) } });
    expect(r.digests!.xxh64).toBe('5215e13b207d6d8c');
  });

  it('sizes around the read buffer (one read, or streamed) give the digests of node:crypto and xxhsum', () => {
    for (const size of [0, 1, 31, 32, 33, xxh.buffer.length - 1, xxh.buffer.length, xxh.buffer.length + 1]) {
      const content = Buffer.alloc(size);
      for (let i = 0; i < size; i++) content[i] = (i * 7 + 3) & 0xff;
      const file = path.join(dir, `sized-${size}`);
      fs.writeFileSync(file, content);
      expect(hashFile(task(file), xxh)).toEqual({ digests: { sha256: sha(content), xxh64: xxhsum(file) } });
    }
  });

  it('a file whose size changed since its lstat is CHANGED, not digested', () => {
    const file = path.join(dir, 'grew');
    fs.writeFileSync(file, 'short');
    const t = task(file);
    fs.appendFileSync(file, ' and longer');
    expect(hashFile(t, xxh)).toEqual({ error: 'CHANGED' });
  });

  it('a path that no longer exists gives its errno', () => {
    const file = path.join(dir, 'vanished');
    fs.writeFileSync(file, 'x');
    const t = task(file);
    fs.unlinkSync(file);
    expect(hashFile(t, xxh)).toEqual({ error: 'ENOENT' });
  });

  it('files larger than the read buffer stream in chunks to the same digests', () => {
    const content = Buffer.alloc(3 * xxh.buffer.length + 12345);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
    const file = path.join(dir, 'large');
    fs.writeFileSync(file, content);
    const r = hashFile(task(file), xxh);
    expect(r.digests!.sha256).toBe(sha(content));
    expect(r.digests!.xxh64).toBe(xxhsum(file));
    expect(xxh.oneShot(content)).toBe(xxhsum(file));
  });

  it('a growing log: the digest of its first N bytes equals the old file\'s digest', () => {
    const file = path.join(dir, 'log');
    fs.writeFileSync(file, 'line one\n');
    const old = hashFile(task(file), xxh).digests!;
    fs.appendFileSync(file, 'line two\n');
    const r = hashFile(task(file, { prefix: 9 }), xxh);
    expect(r.prefix).toEqual(old);
    expect(r.digests!.sha256).not.toBe(old.sha256);
  });

  it('another inode at the path is reported, not hashed', () => {
    const file = path.join(dir, 'swapped');
    fs.writeFileSync(file, 'original');
    const t = task(file);
    fs.writeFileSync(file + '.new', 'impostor');
    fs.renameSync(file + '.new', file);
    expect(hashFile(t, xxh)).toEqual({ error: 'SWAPPED' });
  });

  it('a FIFO in place of the file is never read (and never blocks)', () => {
    const file = path.join(dir, 'fifo');
    fs.writeFileSync(file, 'x');
    const t = task(file);
    fs.unlinkSync(file);
    execFileSync('mkfifo', [file]);
    expect(hashFile(t, xxh)).toEqual({ error: 'NOTREG' });
  });
});

describe('the hasher module check', () => {
  const manifest = () => JSON.parse(fs.readFileSync(manifestPath(), 'utf8'));

  it('the installed xxhash-wasm matches the manifest and its known answers', async () => {
    expect(() => checkHasherModule(manifest())).not.toThrow();
    expect(xxh.oneShot(Buffer.from('abc'))).toBe('44bc2cf5ad770999');
  });

  it('a module whose digest differs from the manifest is refused', () => {
    expect(() => checkHasherModule({ ...manifest(), sha256: '0'.repeat(64) })).toThrow(/manifest expects 0{64}/);
  });

  it('another version is refused', () => {
    expect(() => checkHasherModule({ ...manifest(), version: '0.9.0' })).toThrow(/manifest expects 0\.9\.0/);
  });
});

describe('the pool\'s batch format', () => {
  it('tasks survive the trip to a worker: odd path bytes, prefix, keep, algorithm sets', () => {
    const tasks = [
      { path: '/usr/bin/ls', ino: 1, dev: 2049, size: 0, algos: ['sha256', 'xxh64'] as Algo[] },
      { path: '/etc/x\nname\xff\xe9', ino: 2 ** 40 + 3, dev: 7, size: 5e9, algos: ['xxh64'] as Algo[], prefix: 9 },
      { path: '/etc/sshd_config', ino: 4, dev: 7, size: 12, algos: [] as Algo[], keep: 65536 },
    ];
    const builder = new BatchBuilder();
    for (const t of tasks) builder.add(t);
    expect(builder.bytes).toBe(5e9 + 12);
    const { request, transfer } = builder.seal(42);
    expect(transfer).toEqual([request.numbers.buffer]);
    expect(request.id).toBe(42);
    expect([...tasksOf(request)]).toEqual(tasks);
  });

  it('answers come back as the results hashFile gave', () => {
    const results: HashResult[] = [
      { digests: { sha256: 'a'.repeat(64), xxh64: 'b'.repeat(16) } },
      { error: 'EACCES' },
      { digests: { xxh64: 'c'.repeat(16) }, prefix: { xxh64: 'd'.repeat(16) } },
      { digests: {}, content: 'PermitRootLogin no\n' },
    ];
    const answer = answerOf(7, results);
    const extras = new Map(answer.extras.map((x) => [x.at, x]));
    expect(results.map((_, i) => resultAt(answer, i, extras.get(i)))).toEqual(results);
  });
});
