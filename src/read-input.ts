/**
 * Inputs named on the command line (baseline, rules, keys) may be pipes:
 * `--pubkey <(...)`. A named FIFO nobody writes to blocked open(2) and then
 * read(2) forever, and since those calls are synchronous not even SIGINT or
 * SIGTERM could end the process (their handlers run on the event loop). So
 * inputs are opened without blocking, and a pipe is read as it fills: one
 * with no writer reads as empty at once (and is refused as such).
 */
import fs from 'node:fs';

export const INPUT_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/** Waits between reads of a pipe whose writer has not written yet. */
const PAUSE_MS = 5;

/** Reads fd to its end, or to `limit` + 1 bytes (so a caller can tell "over the limit"). */
export function readInput(fd: number, limit = Infinity): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let got = 0;
  while (got <= limit) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, Math.min(buf.length, limit + 1 - got), null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, PAUSE_MS);
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    got += n;
  }
  return Buffer.concat(chunks);
}
