/**
 * Triage of a whole report: rules 1-3 for every finding, then rule 4 for the
 * walk's directories, deepest first, from the verdicts of the entries below.
 */
import type { Finding } from '../types.js';
import { parentOf, Rules, UNOWNED, type TriageContext, type Verdict } from './rules.js';

/** What a directory's own record shows when entries were added, removed or replaced in it. */
const DIRECTORY_CHURN = new Set(['mtime', 'ctime', 'nlink', 'size']);

function apply(f: Finding, v: Verdict): void {
  f.triage = v.triage;
  if (v.evidence) f.evidence = v.evidence;
  else delete f.evidence;
  if (v.reason) f.reason = v.reason;
  else delete f.reason;
}

function depth(path: string): number {
  return path.split('/').length;
}

export function triageFindings(findings: Finding[], ctx: TriageContext): void {
  const rules = new Rules(ctx);
  const dirs: Finding[] = [];
  const children = new Map<string, Finding[]>();
  for (const f of findings) {
    f.package ??= rules.owner(f.path)?.pkg ?? UNOWNED;
    if (f.source !== 'baseline') continue;
    const kind = ctx.entry?.(f.path)?.kind ?? f.kind;
    if (kind === 'dir' && f.status !== 'missing') dirs.push(f);
    if (f.path !== '/') children.set(parentOf(f.path), [...(children.get(parentOf(f.path)) ?? []), f]);
  }
  const isDir = new Set(dirs);
  for (const f of findings) if (!isDir.has(f)) apply(f, rules.judge(f));
  for (const dir of dirs.sort((a, b) => depth(b.path) - depth(a.path))) {
    const kids = children.get(dir.path) ?? [];
    if (kids.some((k) => k.triage !== 'explained')) {
      apply(dir, { triage: 'unexplained', reason: 'an entry in it changed without explanation' });
    } else if (kids.length && dir.status === 'changed' && dir.deltas.every((d) => DIRECTORY_CHURN.has(d.attr))) {
      const op = kids[0]!.evidence!.operation;
      apply(dir, { triage: 'explained', evidence: { operation: op, rule: 'directory', detail: `only explained entries in it changed (${kids.length})` } });
    } else {
      apply(dir, rules.judge(dir));
    }
  }
}
