import type { Finding } from '../types.js';
import { EXIT_ADDED, EXIT_CHANGED, EXIT_INCOMPLETE, EXIT_MISSING } from '../errors.js';

/** Which findings make a scan unclean: only unexplained ones (default), or every change (today's bits). */
export type FailOn = 'unexplained' | 'any';
export const FAIL_ON: readonly FailOn[] = ['unexplained', 'any'];

export interface Summary {
  entries: number;
  /** The walk's findings that are not explained by a package operation. */
  changed: number;
  missing: number;
  added: number;
  untested: number;
  /**
   * Findings from rpm / dpkg, by status (untested: the package check itself
   * did not finish); preexisting ones (on paths the walk found unchanged since
   * the baseline) apart: they are the only findings not counted.
   */
  packages: { changed: number; missing: number; added: number; untested: number; preexisting: number };
  /** Findings (walk and package) explained by a package operation, by status: counted here, not above. */
  explained: { changed: number; missing: number; added: number };
  /** True only when everything was checked and nothing differs (explained changes allowed unless --fail-on any). */
  clean: boolean;
}

/** A change a package operation accounts for (something not checked never is one). */
export function isExplainedChange(f: Finding): boolean {
  return f.triage === 'explained' && f.status !== 'untested';
}

export function summarize(findings: readonly Finding[], entries: number, incomplete = false, failOn: FailOn = 'unexplained'): Summary {
  const s: Summary = {
    entries, changed: 0, missing: 0, added: 0, untested: 0,
    packages: { changed: 0, missing: 0, added: 0, untested: 0, preexisting: 0 },
    explained: { changed: 0, missing: 0, added: 0 }, clean: false,
  };
  for (const f of findings) {
    if (isExplainedChange(f)) s.explained[f.status as 'changed' | 'missing' | 'added']++;
    else if (f.source === 'baseline') s[f.status]++;
    else if (f.triage === 'preexisting') s.packages.preexisting++;
    else s.packages[f.status]++;
  }
  const tolerated = failOn === 'unexplained' ? 0 : explainedCount(s);
  s.clean = !incomplete && notChecked(s) + s.changed + s.missing + s.added + packageFindings(s) + tolerated === 0;
  return s;
}

export function explainedCount(s: Summary): number {
  return s.explained.changed + s.explained.missing + s.explained.added;
}

/** What the text summary calls "not checked": the walk's and the package check's. */
export function notChecked(s: Summary): number {
  return s.untested + s.packages.untested;
}

/** Package findings that count, other than "not checked" ones. */
export function packageFindings(s: Summary): number {
  return s.packages.changed + s.packages.missing + s.packages.added;
}

/** AIDE-style exit bits: 1 added, 2 missing, 4 changed, 8 something could not be checked. */
export function exitBits(s: Summary, incomplete = false, failOn: FailOn = 'unexplained'): number {
  const also = failOn === 'any' ? s.explained : { changed: 0, missing: 0, added: 0 };
  let bits = 0;
  if (s.added || s.packages.added || also.added) bits |= EXIT_ADDED;
  if (s.missing || s.packages.missing || also.missing) bits |= EXIT_MISSING;
  if (s.changed || s.packages.changed || also.changed) bits |= EXIT_CHANGED;
  if (notChecked(s) || incomplete) bits |= EXIT_INCOMPLETE;
  return bits;
}
