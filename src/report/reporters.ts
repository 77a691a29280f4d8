/**
 * Reporters by name. Each writes a whole report to a passed-in stream; none
 * prints a raw path or any other text from the scanned tree (escape.ts).
 */
import type { Writable } from 'node:stream';
import type { BaselineHeader, Finding } from '../types.js';
import type { Summary } from './summary.js';
import type { PackageChanges } from '../pkg/index.js';
import { textReporter } from './text.js';
import { jsonReporter, ndjsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { junitReporter } from './junit.js';
import { ecsReporter } from './ecs.js';
import { summaryReporter } from './summary-text.js';

export { textLine } from './text.js';
export { findingJson } from './json.js';
export { fileUri, fingerprint } from './finding-class.js';

export interface Report {
  header: BaselineHeader;
  root: string;
  findings: Finding[];
  summary: Summary;
  /** Lines the package tools printed that were not findings, and run-level notes. */
  diagnostics: string[];
  packageManager?: string;
  packageChanges?: PackageChanges;
  /** Text only: explained findings shown in full, summed up per package operation (default), or hidden. */
  explained?: 'show' | 'summary' | 'hide';
  /** Text only: SGR colours (the CLI sets it on a terminal, never with NO_COLOR or --no-color). */
  colour?: boolean;
  /** When the scan ran (ISO 8601): the ECS events' @timestamp, the JUnit suite's timestamp. */
  time?: string;
  /** sha256 of the baseline file (json's `binding`, which `update` checks). */
  baselineDigest?: string;
}

export type Reporter = (report: Report, out: Writable) => void;

export const REPORTERS: Record<string, Reporter> = {
  text: textReporter,
  rpm: textReporter,
  json: jsonReporter,
  ndjson: ndjsonReporter,
  sarif: sarifReporter,
  junit: junitReporter,
  ecs: ecsReporter,
};

/** `scan --summary`: counts and the first findings of each kind, in place of the text report. */
export const SUMMARY_REPORTER: Reporter = summaryReporter;
