/**
 * Files not in the page cache: the batch hasher asks the disk for the files
 * ahead of the one it hashes (posix_fadvise), and must still digest exactly,
 * leave atimes alone, and never ask for a file that is not the one the walk saw
 * (a directory swapped for a symlink must not lead it to read outside the root).
 * Files are dropped from the cache with `dd iflag=nocache count=0`; fincore
 * (util-linux) shows they were cold.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HashResult, HashTask } from '../../src/hash/digest.js';
import { AnswerReader, BatchBuilder } from '../../src/hash/batch.js';
import { READ_BUFFER_BYTES, runBatch } from '../../src/hash/run-batch.js';
import { tempDir } from '../helpers/tree.js';

let dir: string;
const tool = (cmd: string, file: string) => execFileSync(cmd, cmd === 'xxhsum' ? ['-H1', file] : [file], { encoding: 'utf8' }).split(' ')[0];

/** Pages of `file` in the page cache. */
function cachedPages(file: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'PAGES', file], { encoding: 'utf8' }).trim());
}

function dropFromCache(file: string): void {
  execFileSync('sync', [file]);
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

function task(file: string): HashTask {
  const st = fs.statSync(file);
  return { path: Buffer.from(file).toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: ['sha256', 'xxh64'] };
}

function hashAll(tasks: HashTask[]): HashResult[] {
  const builder = new BatchBuilder();
  for (const t of tasks) builder.add(t);
  const { answer } = runBatch(builder.seal(0).request, Buffer.alloc(READ_BUFFER_BYTES));
  const reader = new AnswerReader(answer, builder.algos);
  return tasks.map((_, i) => reader.result(i, builder.bitsOf(i)));
}

beforeAll(() => {
  dir = tempDir();
});

describe('descriptors', () => {
  it('under a tight ulimit -n, files the worker cannot open ahead are opened in their turn: every file hashed, none EMFILE', () => {
    const files = Array.from({ length: 120 }, (_, i) => {
      const file = path.join(dir, `fd-${i}`);
      fs.writeFileSync(file, randomBytes(100 + i));
      return file;
    });
    const distHash = path.resolve(__dirname, '../../dist/hash');
    const script = `
      import { BatchBuilder, AnswerReader } from '${distHash}/batch.js';
      import { runBatch } from '${distHash}/run-batch.js';
      const tasks = JSON.parse(process.argv[1]);
      const b = new BatchBuilder();
      for (const t of tasks) b.add(t);
      // The most read-ahead the addon allows, whatever the limit.
      const { answer } = runBatch(b.seal(0).request, Buffer.alloc(1 << 18), 63);
      const r = new AnswerReader(answer, b.algos);
      console.log(JSON.stringify(tasks.map((_, i) => r.result(i, b.bitsOf(i)))));`;
    const out = execFileSync('sh', ['-c', 'ulimit -n 48 && exec "$0" --input-type=module -e "$1" "$2"', process.execPath, script, JSON.stringify(files.map(task))],
      { encoding: 'utf8' });
    const results = JSON.parse(out) as HashResult[];
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results[119]).toEqual({ digests: { sha256: tool('sha256sum', files[119]!), xxh64: tool('xxhsum', files[119]!) } });
  });
});

describe('cold files', () => {
  it('a batch of cold files (more than the read-ahead window, small and several MB) digests as sha256sum and xxhsum, atimes unchanged', () => {
    const sizes = Array.from({ length: 150 }, (_, i) => (i % 50 === 7 ? 9 * 1024 * 1024 + i : i * 1500));
    const files = sizes.map((size, i) => {
      const file = path.join(dir, `cold-${i}`);
      fs.writeFileSync(file, randomBytes(size));
      // An atime older than the mtime: a read without O_NOATIME would move it even under relatime.
      fs.utimesSync(file, new Date('2001-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
      dropFromCache(file);
      return file;
    });
    expect(files.filter((f) => fs.statSync(f).size > 0).map(cachedPages).filter((n) => n > 0)).toEqual([]);
    const atimes = files.map((f) => fs.statSync(f, { bigint: true }).atimeNs);
    const results = hashAll(files.map(task));
    // Before the reference tools read them (they do move the atime).
    expect(files.map((f) => fs.statSync(f, { bigint: true }).atimeNs)).toEqual(atimes);
    expect(results).toEqual(files.map((f) => ({ digests: { sha256: tool('sha256sum', f), xxh64: tool('xxhsum', f) } })));
  });

  it('a directory swapped for a symlink to outside the root: refused at the open (ELOOP: no link on the path), and the outside file is never read (not even ahead)', () => {
    const root = path.join(dir, 'root');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(outside);
    const inside = path.join(root, 'etc', 'passwd');
    fs.writeFileSync(inside, randomBytes(1000));
    const secret = path.join(outside, 'passwd');
    fs.writeFileSync(secret, randomBytes(3 * 1024 * 1024));
    const tasks = [task(inside), ...Array.from({ length: 5 }, (_, i) => {
      const f = path.join(root, `f${i}`);
      fs.writeFileSync(f, randomBytes(5000));
      dropFromCache(f);
      return task(f);
    })];
    // Queue the inside file first: with a cold first file, the hasher opens the rest ahead.
    dropFromCache(inside);
    fs.renameSync(path.join(root, 'etc'), path.join(root, 'etc.old'));
    fs.symlinkSync(outside, path.join(root, 'etc'));
    dropFromCache(secret);
    const results = hashAll(tasks);
    expect(results[0]).toEqual({ error: 'ELOOP' });
    expect(results.slice(1).every((r) => r.digests?.sha256)).toBe(true);
    expect(cachedPages(secret)).toBe(0);
  });
});
