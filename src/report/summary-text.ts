/**
 * `--summary`: counts by status, by triage and by top-level directory, and
 * the first few findings of each status, for a person reading a large scan.
 */
import type { Finding } from '../types.js';
import { displayPath } from '../paths.js';
import { textLine, summaryLine } from './text.js';
import { STATUSES, isUnexplained } from './finding-class.js';
import type { Reporter } from './reporters.js';

/** How many findings of each status are printed in full. */
export const FIRST_FINDINGS = 5;

function triageOf(f: Finding): string {
  return f.triage === 'preexisting' ? 'preexisting' : isUnexplained(f) ? 'unexplained' : 'explained';
}

/** The first path component in bytes (`/usr/bin/ls` -> `/usr`), escaped for print. */
function topLevel(f: Finding): string {
  const second = f.path.indexOf('/', 1);
  return displayPath(second < 0 ? f.path : f.path.slice(0, second));
}

function countBy(findings: readonly Finding[], key: (f: Finding) => string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const f of findings) {
    const row = out.get(key(f)) ?? new Map<string, number>();
    row.set(triageOf(f), (row.get(triageOf(f)) ?? 0) + 1);
    out.set(key(f), row);
  }
  return out;
}

const COLUMNS = ['unexplained', 'explained', 'preexisting'];

function table(title: string, rows: Map<string, Map<string, number>>, order?: readonly string[]): string[] {
  const keys = order ?? [...rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(title.length, ...keys.map((k) => k.length));
  const lines = [`${title.padEnd(width)}  ${COLUMNS.map((c) => c.padStart(11)).join(' ')}`];
  for (const k of keys) {
    const row = rows.get(k) ?? new Map<string, number>();
    lines.push(`${k.padEnd(width)}  ${COLUMNS.map((c) => String(row.get(c) ?? 0).padStart(11)).join(' ')}`);
  }
  return lines;
}

export const summaryReporter: Reporter = (report, out) => {
  const findings = report.findings;
  const lines = [
    ...table('status', countBy(findings, (f) => f.status), STATUSES),
    '',
    ...table('directory', countBy(findings, topLevel)),
  ];
  for (const status of STATUSES) {
    for (const triage of ['unexplained', 'explained']) {
      const these = findings.filter((f) => f.status === status && triageOf(f) === triage);
      if (!these.length) continue;
      const more = these.length > FIRST_FINDINGS ? ` (first ${FIRST_FINDINGS} of ${these.length})` : '';
      lines.push('', `${status}, ${triage}${more}:`, ...these.slice(0, FIRST_FINDINGS).map((f) => '  ' + textLine(f, true)));
    }
  }
  lines.push('', summaryLine(report.summary));
  out.write(lines.join('\n') + '\n');
};
