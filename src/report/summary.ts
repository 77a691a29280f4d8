import type { Finding } from '../types.js';
import { EXIT_ADDED, EXIT_CHANGED, EXIT_INCOMPLETE, EXIT_MISSING } from '../errors.js';

export interface Summary {
  entries: number;
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
  /** True only when everything was checked and nothing differs. */
  clean: boolean;
}

export function summarize(findings: readonly Finding[], entries: number, incomplete = false): Summary {
  const s: Summary = {
    entries, changed: 0, missing: 0, added: 0, untested: 0,
    packages: { changed: 0, missing: 0, added: 0, untested: 0, preexisting: 0 }, clean: false,
  };
  for (const f of findings) {
    if (f.source === 'baseline') s[f.status]++;
    else if (f.triage === 'preexisting') s.packages.preexisting++;
    else s.packages[f.status]++;
  }
  s.clean = !incomplete && notChecked(s) + s.changed + s.missing + s.added + packageFindings(s) === 0;
  return s;
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
export function exitBits(s: Summary, incomplete = false): number {
  let bits = 0;
  if (s.added || s.packages.added) bits |= EXIT_ADDED;
  if (s.missing || s.packages.missing) bits |= EXIT_MISSING;
  if (s.changed || s.packages.changed) bits |= EXIT_CHANGED;
  if (notChecked(s) || incomplete) bits |= EXIT_INCOMPLETE;
  return bits;
}
