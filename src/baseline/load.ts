/**
 * Opening a baseline file: verify the signature over its bytes, then decode.
 * A regular file is read where it lies, in chunks (a baseline of ten million
 * entries is a gigabyte); a pipe (`scan <(...)`) can be read only once, so
 * its bytes are kept. Serves scan, verify and show alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Baseline, Entry } from '../types.js';
import { BaselineReadError } from '../errors.js';
import { INPUT_FLAGS, readInput } from '../read-input.js';
import { openNoAtime } from '../quiet-open.js';
import { openSource, type BaselineReader } from './reader.js';
import { BufferSource, FdSource } from './source.js';

export interface OpenedBaseline {
  reader: BaselineReader;
  /** Releases the file (its entries cannot be read after). */
  close(): void;
}

/**
 * Verifies the file and readies its entries; the caller closes it. A pipe is
 * copied into an unnamed file under `spoolDir` when given (a scan's: a
 * directory outside the scanned root), else kept in memory.
 */
export function openBaselineFile(file: string, publicKey: KeyObject | undefined, skipVerify = false, spoolDir?: () => string): OpenedBaseline {
  let fd: number | undefined;
  try {
    // O_NOATIME: the file may lie inside the scanned root (evidence), and is read twice.
    fd = openNoAtime(file, INPUT_FLAGS);
    const st = fs.fstatSync(fd);
    // A device never ends (`scan /dev/zero` would fill memory): refused.
    if (!st.isFile() && !st.isFIFO()) throw new BaselineReadError(`cannot read baseline ${file}: not a regular file`);
    if (st.isFIFO() && spoolDir !== undefined) {
      const spooled = spoolNamed(fd, file, spoolDir());
      fs.closeSync(fd);
      fd = spooled.fd;
      const reader = openSource(new FdSource(spooled.fd, spooled.size), publicKey, skipVerify);
      fd = undefined;
      return { reader, close: () => fs.closeSync(spooled.fd) };
    }
    if (st.isFIFO()) {
      const bytes = readInput(fd);
      fs.closeSync(fd);
      fd = undefined;
      return { reader: openSource(new BufferSource(bytes), publicKey, skipVerify), close: () => undefined };
    }
    const opened = fd;
    const reader = openSource(new FdSource(opened, st.size), publicKey, skipVerify);
    fd = undefined;
    return { reader, close: () => fs.closeSync(opened) };
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    if (err instanceof Error && 'exitCode' in err) throw err;
    throw new BaselineReadError(`cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Verifies, then decodes everything into memory (show, diff, update: small baselines). */
export function loadBaseline(file: string, publicKey: KeyObject | undefined, skipVerify = false): Baseline {
  const opened = openBaselineFile(file, publicKey, skipVerify);
  try {
    const entries: Entry[] = [];
    opened.reader.forEachEntry((e) => entries.push(e));
    return { header: opened.reader.header, entries, packages: opened.reader.packages };
  } finally {
    opened.close();
  }
}

/**
 * The copy's failures name the directory it was made in: "cannot read
 * baseline /dev/fd/63: ENOSPC" sent a tired operator looking at the pipe,
 * when TMPDIR was full or missing.
 */
function spoolNamed(pipe: number, file: string, base: string): { fd: number; size: number } {
  try {
    return spool(pipe, base);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new BaselineReadError(`cannot read baseline ${file}: cannot copy it from its pipe into ${base} (TMPDIR): ${code}`);
  }
}

/** Waits between reads of a pipe whose writer has not written yet. */
const PAUSE_MS = 5;

/**
 * The pipe's bytes copied into a file only this process can reach: made
 * 0600 in a fresh 0700 directory, then unlinked and the directory removed
 * before anything else happens, so nothing is left behind whatever ends the
 * run, and nothing of it is there for a walk to meet.
 */
function spool(pipe: number, base: string): { fd: number; size: number } {
  const dir = fs.mkdtempSync(path.join(base, 'driftscan-baseline-'));
  const name = path.join(dir, 'baseline');
  let fd: number | undefined;
  try {
    fd = fs.openSync(name, 'wx+', 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const buf = Buffer.allocUnsafe(1 << 20);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let size = 0;
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(pipe, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(pause, 0, 0, PAUSE_MS);
        continue;
      }
      if (n === 0) break;
      for (let off = 0; off < n; ) off += fs.writeSync(fd, buf, off, n - off, size + off);
      size += n;
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return { fd, size };
}
