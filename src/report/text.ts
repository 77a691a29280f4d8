/**
 * The text report, in rpm -Va's layout. Every field that can come from the
 * scanned tree is escaped (see escape.ts); nothing is printed raw.
 */
import type { Finding, FindingStatus } from '../types.js';
import type { PackageChanges } from '../pkg/index.js';
import { displayPath } from '../paths.js';
import { escapeBytes, escapeText, escapeUnicode } from './escape.js';
import { notChecked, packageFindings, type Summary } from './summary.js';
import type { Reporter } from './reporters.js';

/** The word printed where a finding has no flags; every status has one. */
const STATUS_WORDS: Record<FindingStatus, string> = {
  changed: 'changed', missing: 'missing', added: 'added', untested: 'untested',
};

/** One rpm-style line: `S.5....T.  c /etc/foo`, or `missing   c /etc/foo` one column left. */
export function textLine(f: Finding): string {
  const marker = f.marker && f.marker.trim() ? escapeBytes(f.marker.slice(0, 1)) : ' ';
  const head = f.flags && f.status !== 'missing'
    ? `${escapeBytes(f.flags)}  ${marker}`
    : `${STATUS_WORDS[f.status].padEnd(10)}${marker}`;
  let line = `${head} ${displayPath(f.path)}`;
  const notes: string[] = [];
  if (f.extra.length) notes.push(f.extra.map(escapeText).join(' '));
  const untested = Object.entries(f.untested);
  if (untested.length) notes.push('untested: ' + untested.map(([k, v]) => `${escapeText(k)} (${escapeText(v)})`).join(', '));
  if (f.note) notes.push(escapeText(f.note));
  if (f.outsidePolicy) notes.push('outside policy');
  if (f.source !== 'baseline') {
    const tags = [f.source, f.package && escapeBytes(f.package), f.triage, f.untrusted ? 'untrusted' : undefined].filter(Boolean);
    notes.push(`[${tags.join(' ')}]`);
  }
  if (notes.length) line += '  ' + notes.join('  ');
  return line;
}

function summaryLine(s: Summary): string {
  const verdict = s.clean ? 'clean' : 'NOT clean';
  return `# driftscan: ${verdict}: ${s.changed} changed, ${s.missing} missing, ${s.added} added, ` +
    `${notChecked(s)} not checked, ${packageFindings(s)} package findings; ${s.entries} entries compared`;
}

function packageChangeLines(c: PackageChanges | undefined): string[] {
  if (!c) return [];
  const e = escapeBytes;
  return [
    ...c.installed.map((p) => `# package installed: ${e(p.name)} ${e(p.version)} ${e(p.arch)}`),
    ...c.removed.map((p) => `# package removed: ${e(p.name)} ${e(p.version)} ${e(p.arch)}`),
    ...c.upgraded.map((p) => `# package upgraded: ${e(p.name)} ${e(p.from)} -> ${e(p.to)} ${e(p.arch)}`),
  ];
}

/** A detail (a diff) under its finding, indented, each line escaped like a path. */
function detailLines(f: Finding): string[] {
  const out: string[] = [];
  for (const text of Object.values(f.details ?? {})) {
    for (const line of text.split('\n')) out.push('    ' + escapeUnicode(line));
  }
  return out;
}

/** Why preexisting findings are hidden, in words that claim no more than is known. */
function preexistingLine(count: number): string {
  return `# ${count} package findings not shown: their paths are unchanged since the baseline, ` +
    'and the package tool reports them differing from their packages (--format json lists them)';
}

export const textReporter: Reporter = (report, out) => {
  for (const f of report.findings) {
    if (f.triage === 'preexisting') continue;
    out.write(textLine(f) + '\n');
    for (const line of detailLines(f)) out.write(line + '\n');
  }
  for (const line of packageChangeLines(report.packageChanges)) out.write(line + '\n');
  for (const d of report.diagnostics) for (const line of d.split('\n')) out.write(`# ${escapeText(line)}\n`);
  const known = report.summary.packages.preexisting;
  if (known) out.write(preexistingLine(known) + '\n');
  out.write(summaryLine(report.summary) + '\n');
};
