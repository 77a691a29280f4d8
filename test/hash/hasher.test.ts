/**
 * The addon's batch hasher on real files: its digests equal the reference tools
 * (sha256sum, md5sum, sha512sum, xxhsum -H1) at every size boundary, and a file
 * that is swapped, grows, shrinks or vanishes is reported, never digested.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashWithNodeCrypto, type Algo, type HashTask } from '../../src/hash/digest.js';
import { AnswerReader, BatchBuilder, tasksOf } from '../../src/hash/batch.js';
import { hashFile, READ_BUFFER_BYTES, runBatch } from '../../src/hash/run-batch.js';
import { tempDir } from '../helpers/tree.js';

let dir: string;
/** The reference tools, implementations independent of the addon. */
const tool = (cmd: string, file: string) => execFileSync(cmd, cmd === 'xxhsum' ? ['-H1', file] : [file], { encoding: 'utf8' }).split(' ')[0];
const sums = (file: string) => ({ sha256: tool('sha256sum', file), xxh64: tool('xxhsum', file) });

function task(file: string, extra: Partial<HashTask> = {}): HashTask {
  const st = fs.statSync(file);
  return { path: Buffer.from(file).toString('latin1'), ino: st.ino, dev: st.dev, size: st.size, algos: ['sha256', 'xxh64'], ...extra };
}

function write(name: string, content: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  dir = tempDir();
});

describe('the addon\'s digests against the reference tools', () => {
  it('xxh64 and sha256 at every boundary of XXH64 (stripes of 32, lanes of 8 and 4) and of the read buffer, random content', () => {
    const B = READ_BUFFER_BYTES;
    const sizes = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 100, 1023, B - 33, B - 1, B, B + 1, B + 31, 2 * B, 3 * B + 12345];
    for (const size of sizes) {
      const file = write(`random-${size}`, randomBytes(size));
      expect({ size, ...hashFile(task(file)) }).toEqual({ size, digests: sums(file) });
    }
  });

  it('md5 and sha512 run natively too and equal md5sum and sha512sum', () => {
    for (const size of [0, 55, 56, 64, 1000, READ_BUFFER_BYTES + 7]) {
      const file = write(`md-${size}`, randomBytes(size));
      const r = hashFile(task(file, { algos: ['md5', 'sha512', 'xxh64'] }));
      expect(r).toEqual({ digests: { md5: tool('md5sum', file), sha512: tool('sha512sum', file), xxh64: tool('xxhsum', file) } });
    }
  });

  it('any other node:crypto name still works (sha1, and RSA-SHA256, an alias OpenSSL resolves by its legacy table)', () => {
    const file = write('other-algos', randomBytes(5000));
    const r = hashFile(task(file, { algos: ['sha1', 'RSA-SHA256', 'xxh64'] }));
    expect(r).toEqual({ digests: { sha1: tool('sha1sum', file), 'RSA-SHA256': tool('sha256sum', file), xxh64: tool('xxhsum', file) } });
  });

  it('a huge sparse file is read to its end', () => {
    const file = path.join(dir, 'sparse');
    execFileSync('truncate', ['-s', '300M', file]);
    fs.appendFileSync(file, 'tail');
    expect(hashFile(task(file))).toEqual({ digests: sums(file) });
  });
});

describe('the node:crypto path (names the addon does not run)', () => {
  it('gives the reference digests and prefix digests, and the addon\'s errors', () => {
    const file = write('slow', randomBytes(READ_BUFFER_BYTES * 2 + 5));
    const head = fs.readFileSync(file).subarray(0, 1000);
    const headFile = write('slow-head', head);
    const r = hashWithNodeCrypto(task(file, { prefix: 1000 }), ['sha256', 'sha1'], Buffer.alloc(4096));
    expect(r).toEqual({ digests: [tool('sha256sum', file), tool('sha1sum', file)].map((h) => Buffer.from(h!, 'hex')),
      prefix: [tool('sha256sum', headFile), tool('sha1sum', headFile)].map((h) => Buffer.from(h!, 'hex')) });
    const t = task(file);
    fs.appendFileSync(file, 'more');
    expect(hashWithNodeCrypto(t, ['sha256'], Buffer.alloc(4096))).toEqual({ error: 'CHANGED' });
    fs.unlinkSync(file);
    expect(hashWithNodeCrypto(t, ['sha256'], Buffer.alloc(4096))).toEqual({ error: 'ENOENT' });
  });
});

describe('what the batch hasher refuses to digest', () => {
  it('a file whose size changed since its lstat is CHANGED: grown or shrunk, small or streamed', () => {
    for (const big of [false, true]) {
      const grew = write(`grew-${big}`, big ? Buffer.alloc(READ_BUFFER_BYTES * 2) : 'short');
      const t1 = task(grew);
      fs.appendFileSync(grew, ' and longer');
      const shrank = write(`shrank-${big}`, big ? Buffer.alloc(READ_BUFFER_BYTES * 2) : 'longer text');
      const t2 = task(shrank);
      fs.truncateSync(shrank, 3);
      expect([hashFile(t1), hashFile(t2)]).toEqual([{ error: 'CHANGED' }, { error: 'CHANGED' }]);
    }
  });

  it('a path that no longer exists gives its errno', () => {
    const file = write('vanished', 'x');
    const t = task(file);
    fs.unlinkSync(file);
    expect(hashFile(t)).toEqual({ error: 'ENOENT' });
  });

  it('another inode at the path is SWAPPED, a symlink is not followed (ELOOP), a FIFO is NOTREG and never blocks', () => {
    const swapped = write('swapped', 'original');
    const ts = task(swapped);
    write('swapped.new', 'impostor');
    fs.renameSync(swapped + '.new', swapped);
    const link = write('link', 'x');
    const tl = task(link);
    fs.unlinkSync(link);
    fs.symlinkSync(swapped, link);
    const fifo = write('fifo', 'x');
    const tf = task(fifo);
    fs.unlinkSync(fifo);
    execFileSync('mkfifo', [fifo]);
    expect([hashFile(ts), hashFile(tl), hashFile(tf)]).toEqual([{ error: 'SWAPPED' }, { error: 'ELOOP' }, { error: 'NOTREG' }]);
  });
});

describe('prefixes and kept content', () => {
  it('a growing log: the digest of its first N bytes equals the old file\'s digest, small or streamed', () => {
    for (const head of [Buffer.from('line one\n'), randomBytes(READ_BUFFER_BYTES + 100)]) {
      const file = write('log', head);
      const old = hashFile(task(file)).digests!;
      fs.appendFileSync(file, randomBytes(READ_BUFFER_BYTES));
      const r = hashFile(task(file, { prefix: head.length }));
      expect(r.prefix).toEqual(old);
      expect(r.digests).toEqual(sums(file));
    }
  });

  it('a prefix longer than the file gives no prefix digests', () => {
    const file = write('short-log', 'abc');
    expect(hashFile(task(file, { prefix: 10 }))).toEqual({ digests: sums(file) });
  });

  it('content is kept up to `keep` bytes, and only then', () => {
    const small = write('kept', 'PermitRootLogin no\n\xff');
    const large = write('not-kept', 'x'.repeat(100));
    expect(hashFile(task(small, { keep: 64, algos: [] }))).toEqual({ digests: {}, content: fs.readFileSync(small).toString('latin1') });
    expect(hashFile(task(large, { keep: 64 }))).toEqual({ digests: sums(large) });
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

  it('one batch of many files, each with its own algorithms, answers as each file alone would', () => {
    const files = Array.from({ length: 40 }, (_, i) => write(`batch-${i}`, randomBytes(i * 997)));
    const algoSets: Algo[][] = [['sha256', 'xxh64'], ['xxh64'], ['md5'], [], ['sha1', 'sha256']];
    const tasks = files.map((f, i) => task(f, { algos: algoSets[i % algoSets.length]!, keep: i % 3 === 0 ? 20000 : undefined }));
    fs.unlinkSync(files[7]!);
    const builder = new BatchBuilder();
    for (const t of tasks) builder.add(t);
    const { answer } = runBatch(builder.seal(1).request, Buffer.alloc(READ_BUFFER_BYTES));
    const reader = new AnswerReader(answer, builder.algos);
    const together = tasks.map((_, i) => reader.result(i, builder.bitsOf(i)));
    expect(together).toEqual(tasks.map((t) => hashFile(t)));
    expect(together[7]).toEqual({ error: 'ENOENT' });
    expect(together[3]!.content).toBe(fs.readFileSync(files[3]!).toString('latin1'));
  });
});
