/**
 * Reporters by name. Each writes a whole report to a passed-in stream; none
 * prints a raw path: names are escaped so they cannot forge a line.
 */
import type { Writable } from 'node:stream';
import type { BaselineHeader, Finding } from '../types.js';
import { displayPath, isUtf8 } from '../paths.js';
import type { Summary } from './summary.js';
import type { PackageChanges } from '../pkg/index.js';

export interface Report {
  header: BaselineHeader;
  root: string;
  findings: Finding[];
  summary: Summary;
  /** Lines the package tools printed that were not findings, and run-level notes. */
  diagnostics: string[];
  packageManager?: string;
  packageChanges?: PackageChanges;
}

export type Reporter = (report: Report, out: Writable) => void;

const STATUS_WORDS: Record<string, string> = { missing: 'missing', added: 'added', untested: 'untested' };

/** One rpm-style line: `S.5....T.  c /etc/foo`, or `missing   c /etc/foo` one column left. */
export function textLine(f: Finding): string {
  const marker = f.marker && f.marker.trim() ? f.marker : ' ';
  const head = f.flags && f.status !== 'missing' ? `${f.flags}  ${marker}` : `${STATUS_WORDS[f.status]!.padEnd(10)}${marker}`;
  let line = `${head} ${displayPath(f.path)}`;
  const notes: string[] = [];
  if (f.extra.length) notes.push(f.extra.join(' '));
  const untested = Object.entries(f.untested);
  if (untested.length) notes.push('untested: ' + untested.map(([k, v]) => `${k} (${v})`).join(', '));
  if (f.note) notes.push(f.note);
  if (f.source !== 'baseline') {
    const tags = [f.source, f.package, f.triage, f.untrusted ? 'untrusted' : undefined].filter(Boolean);
    notes.push(`[${tags.join(' ')}]`);
  }
  if (notes.length) line += '  ' + notes.join('  ');
  return line;
}

function summaryLine(s: Summary): string {
  const verdict = s.clean ? 'clean' : 'NOT clean';
  const pkg = s.packages.changed + s.packages.missing + s.packages.untested;
  return `# driftscan: ${verdict}: ${s.changed} changed, ${s.missing} missing, ${s.added} added, ` +
    `${s.untested} not checked, ${pkg} package findings; ${s.entries} entries compared`;
}

function packageChangeLines(c: PackageChanges | undefined): string[] {
  if (!c) return [];
  return [
    ...c.installed.map((p) => `# package installed: ${p.name} ${p.version} ${p.arch}`),
    ...c.removed.map((p) => `# package removed: ${p.name} ${p.version} ${p.arch}`),
    ...c.upgraded.map((p) => `# package upgraded: ${p.name} ${p.from} -> ${p.to} ${p.arch}`),
  ].map((l) => l.replace(/[\x00-\x1f\x7f]/g, '?'));
}

/** A detail (a diff) under its finding, indented, each line escaped like a path. */
function detailLines(f: Finding): string[] {
  const out: string[] = [];
  for (const text of Object.values(f.details ?? {})) {
    for (const line of text.split('\n')) out.push('    ' + displayPath(Buffer.from(line, 'utf8').toString('latin1')));
  }
  return out;
}

export const textReporter: Reporter = (report, out) => {
  for (const f of report.findings) {
    if (f.triage === 'preexisting') continue;
    out.write(textLine(f) + '\n');
    for (const line of detailLines(f)) out.write(line + '\n');
  }
  for (const line of packageChangeLines(report.packageChanges)) out.write(line + '\n');
  for (const d of report.diagnostics) out.write(`# ${d.replace(/[\x00-\x1f\x7f]/g, '?')}\n`);
  const known = report.summary.packages.preexisting;
  if (known) out.write(`# ${known} package findings were already there when the baseline was taken (not shown; --format json lists them)\n`);
  out.write(summaryLine(report.summary) + '\n');
};

/** A finding as JSON: the path as escaped text, plus its raw bytes in hex when they are not UTF-8. */
export function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = { path: displayPath(f.path) };
  if (!isUtf8(f.path) || displayPath(f.path) !== Buffer.from(f.path, 'latin1').toString('utf8')) {
    out.path_hex = Buffer.from(f.path, 'latin1').toString('hex');
  }
  out.status = f.status;
  out.source = f.source;
  if (f.flags !== undefined) out.flags = f.flags;
  out.marker = f.marker ?? ' ';
  if (f.kind) out.kind = f.kind;
  out.deltas = f.deltas;
  out.extra = f.extra;
  out.untested = f.untested;
  for (const key of ['package', 'triage', 'note', 'untrusted', 'details'] as const) if (f[key] !== undefined) out[key] = f[key];
  return out;
}

function headerJson(h: BaselineHeader): Record<string, unknown> {
  const { policy: _policy, unlisted, ...rest } = h;
  return { ...rest, unlisted: unlisted.map(displayPath) };
}

export const jsonReporter: Reporter = (report, out) => {
  const doc = {
    baseline: headerJson(report.header),
    root: report.root,
    summary: report.summary,
    packages: report.packageManager ? { manager: report.packageManager, changes: report.packageChanges ?? null } : null,
    diagnostics: report.diagnostics,
    findings: report.findings.map(findingJson),
  };
  out.write(JSON.stringify(doc, null, 2) + '\n');
};

export const ndjsonReporter: Reporter = (report, out) => {
  for (const f of report.findings) out.write(JSON.stringify(findingJson(f)) + '\n');
};

export const REPORTERS: Record<string, Reporter> = {
  text: textReporter,
  rpm: textReporter,
  json: jsonReporter,
  ndjson: ndjsonReporter,
};
