/**
 * What goes between the pool and a hash worker: a batch of files as one
 * string of paths and one Float64Array of numbers, and the answers as one
 * Float64Array of codes and one Uint8Array per digest algorithm (fixed width
 * per file), all transferred, not copied. The main thread turns a file's bytes
 * into hex only as it delivers that file.
 */
import os from 'node:os';
import type { Algo, HashResult, HashTask } from './digest.js';
import { errnoName } from '../native-stat.js';

/** Numbers per file in BatchRequest.numbers. */
export const STRIDE = 6;

export interface BatchRequest {
  id: number;
  /** The digest algorithms the batch asks for (the registry's names): bit i of a file's algorithm bits is algos[i]. */
  algos: Algo[];
  /** The files' paths (latin1 strings), joined by NUL, which no path holds. */
  paths: string;
  /** Per file: ino, dev, size, algorithm bits, prefix (-1: none), keep (-1: none). */
  numbers: Float64Array;
}

/** hashBatch's codes (native/quietopen.h); other negative codes are errnos. */
export const CODE = { hashed: 0, withPrefix: 1, notReg: -100001, swapped: -100002, changed: -100003 } as const;
const CODE_NAMES = new Map<number, string>([[CODE.notReg, 'NOTREG'], [CODE.swapped, 'SWAPPED'], [CODE.changed, 'CHANGED']]);
const ERRNO = os.constants.errno as Record<string, number>;

/** The code for an error name (an errno code, or NOTREG, SWAPPED, CHANGED). */
export function codeOf(name: string): number {
  for (const [code, n] of CODE_NAMES) if (n === name) return code;
  return -(ERRNO[name] ?? ERRNO.EIO!);
}

export interface BatchAnswer {
  id: number;
  /** Per file: CODE.hashed, CODE.withPrefix, or why not (a negative errno or CODE). */
  codes: Float64Array;
  /** Per algorithm of the request, in its order: widths[i] bytes per file. */
  widths: number[];
  digests: Uint8Array[];
  /** The prefix digests of files whose code is CODE.withPrefix. */
  prefixes: Uint8Array[];
  /** Kept contents, flat: [at, latin1 content, at, content, …]. */
  contents: Array<number | string>;
}

export type BatchReply = BatchAnswer | { id: -1; fatal: string };

/** A batch being filled on the main thread. */
export class BatchBuilder {
  private paths: string[] = [];
  private numbers: number[] = [];
  readonly algos: Algo[] = [];
  bytes = 0;

  get length(): number {
    return this.paths.length;
  }

  add(task: HashTask): void {
    let bits = 0;
    for (const a of task.algos) {
      if (!this.algos.includes(a)) this.algos.push(a);
      bits |= 1 << this.algos.indexOf(a);
    }
    this.paths.push(task.path);
    this.numbers.push(task.ino, task.dev, task.size, bits, task.prefix ?? -1, task.keep ?? -1);
    this.bytes += task.size;
  }

  /** The size of file `at`, as added. */
  sizeOf(at: number): number {
    return this.numbers[at * STRIDE + 2]!;
  }

  /** The algorithm bits of file `at`. */
  bitsOf(at: number): number {
    return this.numbers[at * STRIDE + 3]!;
  }

  /** The request, and the buffer to transfer rather than copy. */
  seal(id: number): { request: BatchRequest; transfer: ArrayBuffer[] } {
    const numbers = Float64Array.from(this.numbers);
    return { request: { id, algos: this.algos, paths: this.paths.join('\0'), numbers }, transfer: [numbers.buffer] };
  }
}

/** The worker's side: each task of a request, in order. */
export function* tasksOf(request: BatchRequest): Generator<HashTask> {
  const paths = request.paths.split('\0');
  const n = request.numbers;
  for (let i = 0; i < paths.length; i++) {
    const at = i * STRIDE;
    const bits = n[at + 3]!;
    const task: HashTask = { path: paths[i]!, ino: n[at]!, dev: n[at + 1]!, size: n[at + 2]!, algos: request.algos.filter((_, i) => bits & (1 << i)) };
    if (n[at + 4]! >= 0) task.prefix = n[at + 4]!;
    if (n[at + 5]! >= 0) task.keep = n[at + 5]!;
    yield task;
  }
}

/** The main thread's side of one answer: each file's HashResult, hex made only when asked. */
export class AnswerReader {
  private readonly digests: Buffer[];
  private readonly prefixes: Buffer[];
  private readonly contents = new Map<number, string>();

  constructor(private readonly answer: BatchAnswer, private readonly algos: Algo[]) {
    const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    this.digests = answer.digests.map(asBuffer);
    this.prefixes = answer.prefixes.map(asBuffer);
    const c = answer.contents;
    for (let i = 0; i < c.length; i += 2) this.contents.set(c[i] as number, c[i + 1] as string);
  }

  /** File `at`'s result; `bits` are its algorithm bits, as added. */
  result(at: number, bits: number): HashResult {
    const code = this.answer.codes[at]!;
    if (code < 0) return { error: CODE_NAMES.get(code) ?? errnoName(-code) };
    const digests: Partial<Record<Algo, string>> = {};
    const prefix: Partial<Record<Algo, string>> = {};
    for (let i = 0; i < this.algos.length; i++) {
      if (!(bits & (1 << i))) continue;
      const w = this.answer.widths[i]!;
      digests[this.algos[i]!] = this.digests[i]!.toString('hex', at * w, at * w + w);
      if (code === CODE.withPrefix) prefix[this.algos[i]!] = this.prefixes[i]!.toString('hex', at * w, at * w + w);
    }
    const result: HashResult = { digests };
    if (code === CODE.withPrefix) result.prefix = prefix;
    const content = this.contents.get(at);
    if (content !== undefined) result.content = content;
    return result;
  }
}
