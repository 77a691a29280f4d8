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

/** Missing for now: end() makes it untested when it was below a directory that could not be listed. */
function missing(old: Entry): Finding {
  return {
    path: old.path, status: 'missing', source: 'baseline', kind: old.kind,
    marker: old.config ? 'c' : ' ', deltas: [], extra: [], untested: {},
  };
}

function added(now: Entry): Finding {
  return {
    path: now.path, status: 'added', source: 'baseline', kind: now.kind,
    marker: now.config ? 'c' : ' ', deltas: [], extra: [], untested: {},
  };
}

/**
 * The merge-join of two path-ordered streams, one entry of each at a time:
 * the baseline's, pulled as the walk's arrive (a scan holds neither). Only
 * findings are kept. Whether a missing path was below a directory that could
 * not be listed is settled at the end, when every such directory is known.
 */
export class MergeCompare {
  readonly findings: Finding[] = [];
  private old: Entry | undefined;

  /**
   * `next` gives the baseline's entries in path order, then undefined;
   * `onFinding` sees each finding with the entry now, if any; `before` sees
   * each entry now with the baseline's at its path (if any) before they are compared.
   */
  constructor(
    private readonly next: () => Entry | undefined,
    private readonly onFinding?: (f: Finding, now?: Entry) => void,
    private readonly before?: (now: Entry, old: Entry | undefined) => void,
  ) {
    this.old = next();
  }

  /** The walk's next entry. */
  now(e: Entry): void {
    while (this.old !== undefined && this.old.path < e.path) this.gone(this.old);
    this.before?.(e, this.old?.path === e.path ? this.old : undefined);
    if (this.old !== undefined && this.old.path === e.path) {
      const f = compareEntry(this.old, e);
      this.old = this.next();
      if (f) this.found(f, e);
    } else {
      this.found(added(e), e);
    }
  }

  /** The walk is done: the rest of the baseline is missing (or below an unlisted directory). */
  end(unlisted?: ReadonlyMap<BytePath, string>): Finding[] {
    while (this.old !== undefined) this.gone(this.old);
    if (unlisted?.size) {
      for (const f of this.findings) {
        const code = f.status === 'missing' ? underUnlisted(f.path, unlisted) : undefined;
        if (!code) continue;
        f.status = 'untested';
        f.untested = { contents: `${code}: parent directory could not be listed` };
      }
      addUnlisted(this.findings, unlisted);
    }
    return this.findings;
  }

  private gone(old: Entry): void {
    this.old = this.next();
    this.found(missing(old));
  }

  private found(f: Finding, now?: Entry): void {
    this.findings.push(f);
    this.onFinding?.(f, now);
  }
}

/** The merge-join, driven by the baseline's entries as they are decoded, against a sorted list (diff, tests). */
export function compareStream(
  forEachBefore: (visit: (old: Entry) => void) => void,
  after: readonly Entry[],
  opts: CompareOptions = {},
): Finding[] {
  const before: Entry[] = [];
  forEachBefore((e) => before.push(e));
  let i = 0;
  const merge = new MergeCompare(() => before[i++]);
  for (const e of after) merge.now(e);
  return merge.end(opts.unlisted);
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
