/**
 * What goes between the pool and a hash worker: a batch of files as one
 * string of paths and one Float64Array of numbers, and the answers as one
 * array per digest. Structured clone copies a string or a typed array in one
 * piece, where an object per file cost the main thread a clone, a parse and
 * a garbage collection's worth of small objects for each of /usr's 118k files.
 */
import type { Algo, HashResult, HashTask } from './digest.js';

/** Numbers per file in BatchRequest.numbers. */
const STRIDE = 6;

export interface BatchRequest {
  id: number;
  /** The digest algorithms the batch asks for (the registry's names): bit i of a file's algorithm bits is algos[i]. */
  algos: Algo[];
  /** The files' paths (latin1 strings), joined by NUL, which no path holds. */
  paths: string;
  /** Per file: ino, dev, size, algorithm bits, prefix (-1: none), keep (-1: none). */
  numbers: Float64Array;
}

export interface BatchAnswer {
  id: number;
  /** Per algorithm, per file: the hex digest, or '' when not asked or failed. */
  digests: Record<Algo, string[]>;
  /** Per file: '' when hashed, else why not (errno code, SWAPPED, NOTREG, CHANGED). */
  errors: string[];
  /** The rare answers with more in them: prefix digests, kept content. */
  extras: Array<{ at: number; prefix?: Partial<Record<Algo, string>>; content?: string }>;
}

export type BatchReply = BatchAnswer | { id: -1; fatal: string };

/** A batch being filled on the main thread. */
export class BatchBuilder {
  private paths: string[] = [];
  private numbers: number[] = [];
  private algos: Algo[] = [];
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

export function answerOf(id: number, results: HashResult[]): BatchAnswer {
  const algos = [...new Set(results.flatMap((r) => Object.keys(r.digests ?? {})))];
  const answer: BatchAnswer = { id, digests: Object.fromEntries(algos.map((a) => [a, []])), errors: [], extras: [] };
  results.forEach((r, at) => {
    for (const a of algos) answer.digests[a]!.push(r.digests?.[a] ?? '');
    answer.errors.push(r.error ?? '');
    if (r.prefix !== undefined || r.content !== undefined) answer.extras.push({ at, prefix: r.prefix, content: r.content });
  });
  return answer;
}

/** The main thread's side: the result of file `at`, as hashFile gave it; `extra` from answer.extras. */
export function resultAt(answer: BatchAnswer, at: number, extra?: BatchAnswer['extras'][number]): HashResult {
  const error = answer.errors[at];
  if (error) return { error };
  const digests: Partial<Record<Algo, string>> = {};
  for (const [a, values] of Object.entries(answer.digests)) if (values[at]) digests[a] = values[at];
  const result: HashResult = { digests };
  if (extra?.prefix) result.prefix = extra.prefix;
  if (extra?.content !== undefined) result.content = extra.content;
  return result;
}
