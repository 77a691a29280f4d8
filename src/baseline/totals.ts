/**
 * The work a walk of a baseline's paths should expect: its entry count and
 * the bytes of its regular files. The progress line's percentage and time
 * left are measured against these (for a scan, the baseline being checked; for
 * a new baseline, an earlier one of the same paths given with --previous).
 */
import type { KeyObject } from 'node:crypto';
import type { BaselineReader } from './codec.js';
import { openBaselineReader } from './load.js';

export interface WalkTotals {
  entries: number;
  bytes: number;
}

/** Decodes every entry once (a stream: nothing kept); only worth it when a terminal shows progress. */
export function readerTotals(reader: BaselineReader): WalkTotals {
  let bytes = 0;
  reader.forEachEntry((e) => {
    if (e.kind === 'file' && typeof e.attrs.size === 'number') bytes += e.attrs.size;
  });
  return { entries: reader.count, bytes };
}

/** Totals of a baseline file, verified with the public key first like any other baseline. */
export function baselineTotals(file: string, publicKey: KeyObject): WalkTotals {
  return readerTotals(openBaselineReader(file, publicKey).reader);
}
