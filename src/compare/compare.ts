/**
 * One merge-join over two path-sorted entry lists, and one comparison loop
 * over the attribute registry. Attribute quirks live in their rows.
 */
import type { AttrDelta, BytePath, Entry, Finding } from '../types.js';
import { attrRow, ATTRIBUTES, RPM_LETTERS, readAttr, type AttrRow, type CompareContext } from '../attrs/registry.js';
import type { AttrValue } from '../types.js';
import { comparePaths, isUnder } from '../paths.js';

export interface CompareOptions {
  /**
   * Directories the scan could not list (path -> errno): what was below them
   * is untested, not missing, and each is itself a finding.
   */
  unlisted?: ReadonlyMap<BytePath, string>;
}

/** A JSON-ready value: numbers and plain strings as they are, anything else as the row prints it. */
export function printable(row: AttrRow, v: AttrValue | undefined): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number' && row.format(v) === String(v)) return v;
  return row.format(v);
}

/** rpm's nine-letter flag string from the rows that differ and those not tested. */
export function flagString(differs: ReadonlySet<string>, untested: ReadonlySet<string>): string {
  return RPM_LETTERS.map((letter) => {
    const rows = ATTRIBUTES.filter((r) => r.letter === letter);
    if (rows.some((r) => differs.has(r.name))) return letter;
    if (rows.some((r) => untested.has(r.name))) return '?';
    return '.';
  }).join('');
}

export function compareEntry(old: Entry, now: Entry): Finding | undefined {
  const ctx: CompareContext = { growing: old.growing === true, prefix: now.prefix };
  const deltas: AttrDelta[] = [];
  const untested: Record<string, string> = {};
  let details: Record<string, string> | undefined;
  for (const row of ATTRIBUTES) {
    const reason = old.untested?.[row.name] ?? now.untested?.[row.name];
    if (reason !== undefined) {
      untested[row.name] = old.untested?.[row.name] !== undefined ? `baseline: ${reason}` : reason;
      continue;
    }
    const a = readAttr(row, old);
    const b = readAttr(row, now);
    // Absent (the row does not apply to this type) and null (none) say the same: nothing.
    if ((a ?? null) === null && (b ?? null) === null) continue;
    // Present on one side only: the file type changed, so the attribute did too.
    if (a === undefined || b === undefined || !row.equal(a, b, ctx)) {
      deltas.push({ attr: row.name, old: printable(row, a), new: printable(row, b) });
      if (row.explain && a !== undefined && b !== undefined) (details ??= {})[row.name] = row.explain(a, b);
    }
  }
  if (deltas.length === 0 && Object.keys(untested).length === 0) return undefined;
  const differs = new Set(deltas.map((d) => d.attr));
  const extra = deltas.filter((d) => !attrRow(d.attr)?.letter).map((d) => d.attr);
  return {
    path: now.path,
    status: deltas.length ? 'changed' : 'untested',
    source: 'baseline',
    flags: flagString(differs, new Set(Object.keys(untested))),
    marker: old.config ? 'c' : ' ',
    kind: now.kind,
    deltas,
    extra,
    untested,
    ...(details ? { details } : {}),
  };
}

function underUnlisted(path: BytePath, unlisted: ReadonlyMap<BytePath, string> | undefined): string | undefined {
  if (!unlisted) return undefined;
  for (const [dir, code] of unlisted) if (path !== dir && isUnder(path, dir)) return code;
  return undefined;
}

function missing(old: Entry, unlisted: CompareOptions['unlisted']): Finding {
  const code = underUnlisted(old.path, unlisted);
  return {
    path: old.path, status: code ? 'untested' : 'missing', source: 'baseline', kind: old.kind,
    marker: old.config ? 'c' : ' ', deltas: [], extra: [],
    untested: code ? { contents: `${code}: parent directory could not be listed` } : {},
  };
}

function added(now: Entry): Finding {
  return {
    path: now.path, status: 'added', source: 'baseline', kind: now.kind,
    marker: now.config ? 'c' : ' ', deltas: [], extra: [], untested: {},
  };
}

/**
 * The merge-join, driven by the baseline's entries as they are decoded one at
 * a time (a scan never holds the whole baseline), against the sorted snapshot.
 */
export function compareStream(
  forEachBefore: (visit: (old: Entry) => void) => void,
  after: readonly Entry[],
  opts: CompareOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  let j = 0;
  forEachBefore((old) => {
    while (j < after.length && after[j]!.path < old.path) findings.push(added(after[j++]!));
    if (j < after.length && after[j]!.path === old.path) {
      const f = compareEntry(old, after[j++]!);
      if (f) findings.push(f);
    } else {
      findings.push(missing(old, opts.unlisted));
    }
  });
  while (j < after.length) findings.push(added(after[j++]!));
  if (opts.unlisted?.size) addUnlisted(findings, opts.unlisted);
  return findings;
}

/** A directory that could not be listed is itself a finding: nothing below it was checked. */
function addUnlisted(findings: Finding[], unlisted: ReadonlyMap<BytePath, string>): void {
  for (const [dir, code] of unlisted) {
    const existing = findings.find((f) => f.path === dir && f.source === 'baseline');
    const reason = `${code}: contents could not be listed`;
    if (existing) {
      existing.untested.contents = reason;
      continue;
    }
    findings.push({
      path: dir, status: 'untested', source: 'baseline', kind: 'dir', marker: ' ',
      flags: flagString(new Set(), new Set()), deltas: [], extra: [], untested: { contents: reason },
    });
  }
  findings.sort((a, b) => comparePaths(a.path, b.path));
}

export function compareEntries(before: readonly Entry[], after: readonly Entry[], opts: CompareOptions = {}): Finding[] {
  return compareStream((visit) => before.forEach((e) => visit(e)), after, opts);
}
