/**
 * The scan workflow: gather the effects, then assess them.
 */
import type { BaselineInfo } from '../types.js';
import type { Report } from '../report/reporters.js';
import type { FailOn } from '../report/summary.js';
import { gather, type GatherOptions } from './gather.js';
import { assess } from './assess.js';

export interface ScanOptions extends GatherOptions {
  /** Which findings make the scan unclean (default: unexplained ones only). */
  failOn?: FailOn;
}

export interface ScanResult {
  /** The verified baseline's header and package data (its entries are read once, during the compare). */
  baseline: BaselineInfo;
  report: Report;
  exitCode: number;
}

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const gathered = await gather(opts);
  return { baseline: gathered.baseline, ...assess({ ...gathered, failOn: opts.failOn }) };
}
