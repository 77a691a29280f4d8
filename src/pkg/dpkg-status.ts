/**
 * The status file's stanzas as driftscan's own verify reads them
 * (dpkg-verify-plan.ts): each package's name, state, info file stem and
 * conffiles. One pass over the text, by index: a RegExp per field per stanza
 * (four for each of 3,000 stanzas on a large host) and the stanzas split
 * apart cost more than the rest of the read.
 *
 * The rules are those the plan has always used, exactly:
 * - stanzas are separated by two or more '\n' in a row;
 * - a field is the first line of the stanza that starts with its name (any
 *   case) and ':' -- a line starts after '\n' or '\r' -- its value what
 *   follows the ':' and any spaces, up to the next '\n' or '\r', trimmed;
 * - the conffiles are the lines starting with ' ' right after the first line
 *   starting with "Conffiles:" (that case; lines split at '\n' only), each
 *   "<path> <digest>" once trailing " obsolete" / " remove-on-upgrade" words
 *   are dropped, the path being everything before the last space.
 */
import type { BytePath } from '../types.js';
import { comparePaths } from '../paths.js';

export interface StatusPackage {
  stem: string;
  name: string;
  state: string;
  conffiles: Array<{ path: BytePath; hash: string }>;
}

const FLAGS = / (?:obsolete|remove-on-upgrade)$/;

/** Whether text[at..] starts with `name` (ASCII, any case) and then ':'. */
function startsField(text: string, at: number, name: string): boolean {
  if (text.charCodeAt(at + name.length) !== 58) return false;
  for (let i = 0; i < name.length; i++) {
    let c = text.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** The next line start after `at`: past the next '\n' or '\r' (end: `end`). */
function nextLine(text: string, at: number, end: number): number {
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i + 1;
  }
  return end;
}

/** Values of the wanted fields (lower-case names) in the stanza text[start..end), first line of each. */
function fields(text: string, start: number, end: number, names: readonly string[]): Array<string | undefined> {
  const out: Array<string | undefined> = names.map(() => undefined);
  let left = names.length;
  for (let at = start; at < end && left > 0; at = nextLine(text, at, end)) {
    for (let k = 0; k < names.length; k++) {
      if (out[k] !== undefined || !startsField(text, at, names[k]!)) continue;
      let from = at + names[k]!.length + 1;
      while (from < end && text.charCodeAt(from) === 32) from++;
      let to = from;
      while (to < end && text.charCodeAt(to) !== 10 && text.charCodeAt(to) !== 13) to++;
      out[k] = text.slice(from, to).trim();
      left--;
    }
  }
  return out;
}

/** The conffiles of the stanza text[start..end). */
function conffilesOf(text: string, start: number, end: number): StatusPackage['conffiles'] {
  const out: StatusPackage['conffiles'] = [];
  let at = start;
  for (; at < end; at = nextLine(text, at, end)) if (text.startsWith('Conffiles:', at) && at + 10 <= end) break;
  if (at >= end) return out;
  let line = text.indexOf('\n', at);
  if (line < 0 || line >= end) return out;
  for (line++; line < end && text.charCodeAt(line) === 32; ) {
    let stop = text.indexOf('\n', line);
    if (stop < 0 || stop > end) stop = end;
    let words = text.slice(line + 1, stop);
    while (FLAGS.test(words)) words = words.replace(FLAGS, '');
    const cut = words.lastIndexOf(' ');
    if (cut > 0) out.push({ path: words.slice(0, cut), hash: words.slice(cut + 1) });
    line = stop + 1;
  }
  return out;
}

const WANTED = ['package', 'status', 'architecture', 'multi-arch'] as const;

/** Every stanza with a Package field, sorted by info file stem. */
export function parseStatusPackages(text: string): StatusPackage[] {
  const out: StatusPackage[] = [];
  for (let start = 0; start <= text.length; ) {
    // A stanza ends at two or more '\n' in a row.
    let end = text.indexOf('\n\n', start);
    if (end < 0) end = text.length;
    const [name, status, arch, multiArch] = fields(text, start, end, WANTED);
    if (name) {
      const state = (status ?? '').split(/\s+/)[2] ?? '';
      const stem = multiArch === 'same' ? `${name}:${arch ?? ''}` : name;
      out.push({ stem, name, state, conffiles: conffilesOf(text, start, end) });
    }
    if (end === text.length) break;
    start = end + 2;
    while (text.charCodeAt(start) === 10) start++;
  }
  return out.sort((a, b) => comparePaths(a.stem, b.stem));
}
