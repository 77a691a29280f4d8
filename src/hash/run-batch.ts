/**
 * A worker's whole batch: one call into the addon (native/hashbatch.c) for
 * every algorithm Node's OpenSSL or the addon's xxh64 runs, node:crypto for
 * any other. Pure of any thread: worker.ts is a thin loop over runBatch.
 */
import { createHash } from 'node:crypto';
import { nativeFs } from '../native.js';
import { hashWithNodeCrypto, type Algo, type HashResult, type HashTask } from './digest.js';
import { AnswerReader, BatchBuilder, CODE, codeOf, STRIDE, tasksOf, type BatchAnswer, type BatchRequest } from './batch.js';

/**
 * The read buffer: whole files up to this size in one read(2), larger ones in
 * chunks of it (small enough that each chunk is still in the core's cache
 * when the second digest reads it).
 */
export const READ_BUFFER_BYTES = 1 << 18;

/** Known answers for xxh64 (as xxhsum -H1 prints them). */
const XXH64_VECTORS: Array<[string, string]> = [['', 'ef46db3751d8e999'], ['abc', '44bc2cf5ad770999']];
const SAMPLE = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff));

const nativeWidth = new Map<Algo, number>();

/**
 * The addon's width for `algo`, or 0 when this algorithm goes through node:crypto:
 * the addon must know it and give node:crypto's own answer on a sample.
 */
export function nativeWidthOf(algo: Algo): number {
  let width = nativeWidth.get(algo);
  if (width === undefined) {
    width = nativeFs().digestSize(algo);
    if (width > 0 && algo !== 'xxh64') {
      let expected: Buffer | undefined;
      try {
        expected = createHash(algo).update(SAMPLE).digest();
      } catch { /* node:crypto does not know it either: the slow path reports it per file */ }
      if (!expected || !expected.equals(nativeFs().digestBytes(algo, SAMPLE))) width = 0;
    }
    nativeWidth.set(algo, width);
  }
  return width;
}

/** Throws unless the addon's xxh64 gives the reference answers: a wrong kernel would forge "unchanged". */
export function checkKernel(): void {
  for (const [input, want] of XXH64_VECTORS) {
    const got = nativeFs().digestBytes('xxh64', Buffer.from(input)).toString('hex');
    if (got !== want) throw new Error(`xxh64 known-answer test failed for ${JSON.stringify(input)}: ${got}`);
  }
}

function widthOf(algo: Algo): number {
  return nativeWidthOf(algo) || createHash(algo).digest().length;
}

/** `aheadFiles`: files a worker may hold open ahead of the one it hashes (read-ahead from a cold cache). */
export function runBatch(req: BatchRequest, buf: Buffer, aheadFiles?: number): { answer: BatchAnswer; transfer: ArrayBuffer[] } {
  const n = req.numbers.length / STRIDE;
  const native = req.algos.map((a) => nativeWidthOf(a) > 0);
  const widths = req.algos.map((a) => { try { return widthOf(a); } catch { return 0; } });
  const digests = widths.map((w) => new Uint8Array(n * w));
  const prefixes = widths.map((w) => new Uint8Array(n * w));
  const codes = new Float64Array(n);
  const all = native.every(Boolean);
  // The addon sees only its own algorithms, their bits renumbered.
  const numbers = all ? req.numbers : renumber(req.numbers, native);
  const pick = <T>(xs: T[]) => xs.filter((_, i) => native[i]);
  const contents = nativeFs().hashBatch(req.paths, numbers, pick(req.algos), buf, pick(digests), pick(prefixes), codes, aheadFiles);
  if (!all) slowPath(req, native, widths, digests, prefixes, codes, buf);
  const answer: BatchAnswer = { id: req.id, codes, widths, digests, prefixes, contents };
  return { answer, transfer: [codes.buffer, ...digests.map((d) => d.buffer), ...prefixes.map((p) => p.buffer)] as ArrayBuffer[] };
}

function renumber(numbers: Float64Array, native: boolean[]): Float64Array {
  const out = Float64Array.from(numbers);
  for (let at = 3; at < out.length; at += STRIDE) {
    let bits = 0;
    for (let i = 0, j = 0; i < native.length; i++) {
      if (!native[i]) continue;
      if (out[at]! & (1 << i)) bits |= 1 << j;
      j++;
    }
    out[at] = bits;
  }
  return out;
}

/** node:crypto for the algorithms the addon did not run, on the files the addon could read. */
function slowPath(req: BatchRequest, native: boolean[], widths: number[], digests: Uint8Array[], prefixes: Uint8Array[], codes: Float64Array, buf: Buffer): void {
  let at = 0;
  for (const task of tasksOf(req)) {
    const slow = task.algos.filter((a) => !native[req.algos.indexOf(a)]);
    if (codes[at]! >= 0 && slow.length) {
      const raw = hashWithNodeCrypto(task, slow, buf);
      if ('error' in raw) codes[at] = codeOf(raw.error);
      else {
        slow.forEach((a, k) => {
          const i = req.algos.indexOf(a);
          digests[i]!.set(raw.digests[k]!.subarray(0, widths[i]), at * widths[i]!);
          if (raw.prefix) prefixes[i]!.set(raw.prefix[k]!.subarray(0, widths[i]), at * widths[i]!);
        });
        // The addon gave no prefix when it ran no algorithm of this file.
        if (raw.prefix && codes[at] === CODE.hashed) codes[at] = CODE.withPrefix;
      }
    }
    at++;
  }
}

/** One file through the worker's code, as the pool would deliver it (tests, and callers with one file). */
export function hashFile(task: HashTask, buf: Buffer = Buffer.alloc(READ_BUFFER_BYTES)): HashResult {
  const batch = new BatchBuilder();
  batch.add(task);
  const { request } = batch.seal(0);
  const { answer } = runBatch(request, buf);
  return new AnswerReader(answer, batch.algos).result(0, batch.bitsOf(0));
}
