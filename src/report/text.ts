/**
 * The text report, in rpm -Va's layout. Every field that can come from the
 * scanned tree is escaped (see escape.ts); nothing is printed raw.
 */
import type { Finding, FindingStatus, PackageOperation } from '../types.js';
import { describeOperation } from '../triage/operations.js';
import type { PackageChanges } from '../pkg/index.js';
import { displayPath } from '../paths.js';
import { escapeBytes, escapeText, escapeUnicode } from './escape.js';
import { explainedCount, isExplainedChange, notChecked, packageFindings, type Summary } from './summary.js';
import type { Reporter } from './reporters.js';

/** The word printed where a finding has no flags; every status has one. */
const STATUS_WORDS: Record<FindingStatus, string> = {
  changed: 'changed', missing: 'missing', added: 'added', untested: 'untested',
};

/**
 * One rpm-style line: `S.5....T.  c /etc/foo`, or `missing   c /etc/foo` one column left.
 * `triaged`: a package operation happened, so the walk's findings carry their triage too.
 */
export function textLine(f: Finding, triaged = false): string {
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
  if (triaged && f.reason) notes.push(escapeText(f.reason));
  const verdict = f.evidence && f.triage === 'explained'
    ? `explained by ${escapeBytes(describeOperation(f.evidence.operation))} (${f.evidence.rule})`
    : f.triage;
  if (f.source !== 'baseline') {
    const tags = [f.source, f.package && escapeBytes(f.package), verdict, f.untrusted ? 'untrusted' : undefined].filter(Boolean);
    notes.push(`[${tags.join(' ')}]`);
  } else if (triaged && verdict) {
    notes.push(`[${verdict}]`);
  }
  if (notes.length) line += '  ' + notes.join('  ');
  return line;
}

export function summaryLine(s: Summary): string {
  const explained = explainedCount(s);
  const verdict = s.clean ? (explained ? `clean (${explained} explained changes)` : 'clean') : 'NOT clean';
  return `# driftscan: ${verdict}: ${s.changed} changed, ${s.missing} missing, ${s.added} added, ` +
    `${notChecked(s)} not checked, ${packageFindings(s)} package findings${explained ? `, ${explained} explained` : ''}; ` +
    `${s.entries} entries compared`;
}

/** Explained findings per operation, in the order the operations first explain something. */
function byOperation(findings: readonly Finding[]): Array<{ op: PackageOperation; count: number }> {
  const groups = new Map<string, { op: PackageOperation; count: number }>();
  for (const f of findings) {
    if (!isExplainedChange(f) || !f.evidence) continue;
    const op = f.evidence.operation;
    const key = `${op.kind}\0${op.name}\0${op.arch}\0${op.from}\0${op.to}`;
    const g = groups.get(key) ?? { op, count: 0 };
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()];
}

function explainedLine(g: { op: PackageOperation; count: number }): string {
  return `# explained by ${escapeBytes(describeOperation(g.op))}: ${g.count.toLocaleString('en-US')} path${g.count === 1 ? '' : 's'}`;
}

/** A package change that explains nothing still gets its line. */
function explainsNothing(groups: ReturnType<typeof byOperation>, kind: PackageOperation['kind'], name: string, arch: string): boolean {
  return !groups.some((g) => g.op.kind === kind && g.op.name === name && g.op.arch === arch);
}

function packageChangeLines(c: PackageChanges | undefined, groups: ReturnType<typeof byOperation>): string[] {
  if (!c) return [];
  const e = escapeBytes;
  const none = (kind: PackageOperation['kind']) => (p: { name: string; arch: string }) => explainsNothing(groups, kind, p.name, p.arch);
  return [
    ...c.installed.filter(none('install')).map((p) => `# package installed: ${e(p.name)} ${e(p.version)} ${e(p.arch)}`),
    ...c.removed.filter(none('remove')).map((p) => `# package removed: ${e(p.name)} ${e(p.version)} ${e(p.arch)}`),
    ...c.upgraded.filter(none('upgrade')).map((p) => `# package upgraded: ${e(p.name)} ${e(p.from)} -> ${e(p.to)} ${e(p.arch)}`),
  ];
}

function changeCount(c: PackageChanges | undefined): number {
  return c ? c.installed.length + c.removed.length + c.upgraded.length : 0;
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

/**
 * Unexplained findings first, in full; then the explained ones (--explained
 * show) or one line per package operation for what it explains (summary).
 */
export const textReporter: Reporter = (report, out) => {
  const mode = report.explained ?? 'summary';
  const triaged = changeCount(report.packageChanges) > 0;
  const paint = painter(report.colour === true);
  const write = (f: Finding) => {
    const style = isExplainedChange(f) ? 'dim' : 'red';
    out.write(paint(textLine(f, triaged), style) + '\n');
    for (const line of detailLines(f)) out.write(paint(line, style === 'dim' ? 'dim' : diffStyle(line)) + '\n');
  };
  const note = (line: string) => out.write(paint(line, 'dim') + '\n');
  const explained = report.findings.filter(isExplainedChange);
  for (const f of report.findings) if (f.triage !== 'preexisting' && !isExplainedChange(f)) write(f);
  if (mode === 'show') explained.forEach(write);
  const groups = mode === 'hide' ? [] : byOperation(explained);
  for (const g of groups) note(explainedLine(g));
  for (const line of packageChangeLines(report.packageChanges, groups)) note(line);
  for (const d of report.diagnostics) for (const line of d.split('\n')) note(`# ${escapeText(line)}`);
  const known = report.summary.packages.preexisting;
  if (known) note(preexistingLine(known));
  out.write(paint(summaryLine(report.summary), report.summary.clean ? 'green' : 'boldRed') + '\n');
};

/** SGR sequences, the only escapes driftscan itself writes; only around text already escaped. */
const SGR = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', boldRed: '\x1b[1;31m', plain: '' } as const;
type Style = keyof typeof SGR;

/** Colours a line on a terminal (the CLI decides: a TTY, no NO_COLOR, no --no-color); the identity otherwise. */
function painter(on: boolean): (line: string, style: Style) => string {
  return (line, style) => (on && SGR[style] ? `${SGR[style]}${line}\x1b[0m` : line);
}

function diffStyle(line: string): Style {
  return line.startsWith('    +') ? 'green' : line.startsWith('    -') ? 'red' : 'plain';
}
