/**
 * Opening a baseline file: verify the signature over its bytes, then decode.
 * A regular file is read where it lies, in chunks (a baseline of ten million
 * entries is a gigabyte); a pipe (`scan <(...)`) can be read only once, so
 * its bytes are kept. Serves scan, verify and show alike.
 */
import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Baseline, Entry } from '../types.js';
import { BaselineReadError } from '../errors.js';
import { INPUT_FLAGS, readInput } from '../read-input.js';
import { BufferSource, FdSource, openSource, type BaselineReader } from './reader.js';

export interface OpenedBaseline {
  reader: BaselineReader;
  /** Releases the file (its entries cannot be read after). */
  close(): void;
}

/** Verifies the file and readies its entries; the caller closes it. */
export function openBaselineFile(file: string, publicKey: KeyObject | undefined, skipVerify = false): OpenedBaseline {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, INPUT_FLAGS);
    const st = fs.fstatSync(fd);
    // A device never ends (`scan /dev/zero` would fill memory): refused.
    if (!st.isFile() && !st.isFIFO()) throw new BaselineReadError(`cannot read baseline ${file}: not a regular file`);
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
