/**
 * The work a walk of a baseline's paths should expect: its entry count and
 * the bytes of its regular files, both in its trailer. The progress line's
 * percentage and time left are measured against these (for a scan, the
 * baseline being checked; for a new baseline, an earlier one of the same
 * paths given with --previous).
 */
import type { KeyObject } from 'node:crypto';
import type { BaselineReader } from './reader.js';
import { openBaselineFile } from './load.js';

export interface WalkTotals {
  entries: number;
  bytes: number;
}

export function readerTotals(reader: BaselineReader): WalkTotals {
  return { entries: reader.count, bytes: reader.bytes };
}

/** Totals of a baseline file, verified with the public key first like any other baseline. */
export function baselineTotals(file: string, publicKey: KeyObject): WalkTotals {
  const opened = openBaselineFile(file, publicKey);
  opened.close();
  return readerTotals(opened.reader);
}
