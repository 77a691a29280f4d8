/**
 * Pieces shared by the rpm and dpkg verify parsers. Both tools print
 * `FLAGS MARKER PATH[ (NOTE)]` lines in rpm's layout; what differs is the
 * spacing, which the parsers own.
 */
import type { BytePath, Finding, FindingSource } from '../types.js';
import { RPM_LETTERS } from '../attrs/registry.js';

/** rpm's attribute letters in print order (the attribute table's); `.` passed, `?` could not be tested. */
export const VERIFY_LETTERS = RPM_LETTERS.join('');

export interface ParsedVerify {
  findings: Finding[];
  /** Every line that is not a file result (dependency problems, warnings, ...). */
  diagnostics: string[];
}

export interface ParseOptions {
  /**
   * Tells whether a path is packaged. A name may itself end in ` (x)`; with this,
   * such a suffix is kept as part of the path when the whole string is packaged.
   */
  isKnownPath?: (path: BytePath) => boolean;
}

/** Splits tool output into lines of latin1 text (one char per byte), without the newline. */
export function outputLines(output: Buffer | string): string[] {
  const text = typeof output === 'string' ? output : output.toString('latin1');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** True when every char is `.`, `?` or the letter rpm prints at that position. */
export function isFlagString(s: string): boolean {
  if (s.length < 8 || s.length > VERIFY_LETTERS.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '.' && c !== '?' && c !== VERIFY_LETTERS[i]) return false;
  }
  return true;
}

const TRAILING_NOTE = /^(.*) (\([^()]*\))$/s;

/**
 * Separates `PATH (note) (note)` into the path and its notes: rpm appends a
 * strerror text for a failed lstat and a file state such as `(replaced)`.
 */
export function splitNote(rest: string, opts: ParseOptions): { path: BytePath; note?: string } {
  const notes: string[] = [];
  let path = rest;
  // Strip one suffix at a time, stopping early at a packaged path, so that a
  // file really named `a (b)` keeps its name.
  for (;;) {
    if (opts.isKnownPath?.(path)) break;
    const m = TRAILING_NOTE.exec(path);
    if (!m) break;
    path = m[1];
    notes.unshift(m[2]);
  }
  return notes.length > 0 ? { path, note: notes.join(' ') } : { path };
}

export function makeFinding(
  source: FindingSource,
  status: 'changed' | 'missing',
  flags: string | undefined,
  marker: string,
  rest: string,
  opts: ParseOptions,
): Finding {
  const { path, note } = splitNote(rest, opts);
  const f: Finding = { path, status, source, marker, deltas: [], extra: [], untested: {} };
  if (flags !== undefined) f.flags = flags;
  if (note !== undefined) f.note = note;
  return f;
}
