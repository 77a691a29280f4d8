import type { Finding } from '../types.js';
import { EXIT_ADDED, EXIT_CHANGED, EXIT_INCOMPLETE, EXIT_MISSING } from '../errors.js';

export interface Summary {
  entries: number;
  changed: number;
  missing: number;
  added: number;
  untested: number;
  /** Findings from rpm / dpkg, by status; preexisting ones (already there at baseline time) apart. */
  packages: { changed: number; missing: number; untested: number; preexisting: number };
  /** True only when everything was checked and nothing differs. */
  clean: boolean;
}

export function summarize(findings: readonly Finding[], entries: number, incomplete = false): Summary {
  const s: Summary = {
    entries, changed: 0, missing: 0, added: 0, untested: 0,
    packages: { changed: 0, missing: 0, untested: 0, preexisting: 0 }, clean: false,
  };
  for (const f of findings) {
    if (f.source === 'baseline') {
      s[f.status]++;
    } else if (f.triage === 'preexisting') {
      s.packages.preexisting++;
    } else if (f.status !== 'added') {
      s.packages[f.status]++;
    }
  }
  const pkgTotal = s.packages.changed + s.packages.missing + s.packages.untested;
  s.clean = !incomplete && s.changed + s.missing + s.added + s.untested + pkgTotal === 0;
  return s;
}

/** AIDE-style exit bits: 1 added, 2 missing, 4 changed, 8 something could not be checked. */
export function exitBits(s: Summary, incomplete = false): number {
  let bits = 0;
  if (s.added) bits |= EXIT_ADDED;
  if (s.missing || s.packages.missing) bits |= EXIT_MISSING;
  if (s.changed || s.packages.changed) bits |= EXIT_CHANGED;
  if (s.untested || s.packages.untested || incomplete) bits |= EXIT_INCOMPLETE;
  return bits;
}
