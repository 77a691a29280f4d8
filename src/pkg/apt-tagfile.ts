/**
 * A Packages index read by the rules of apt's own tag file parser
 * (apt-pkg's pkgTagSection, apt 2.x), so that a version counts as offered
 * exactly when apt would offer it, whatever text a Description carries:
 * - a line whose first byte is white space (space, tab, CR, LF, VT, FF)
 *   continues the field before it; any other line starts a field. A line
 *   of only CRs (or nothing) ends the stanza; a line of spaces or tabs
 *   does not: the stanzas on both sides of it are one.
 * - a field's name runs to the first colon after the line's start (on a
 *   later line when its own has none, as apt's search does) and is
 *   compared without case; when a stanza names a field twice the last wins.
 * - the value is what follows the colon, continuation lines included,
 *   without the white space around it; apt lower-cases package names.
 * - a stanza with no Package, or a field with no colon anywhere after it,
 *   makes apt refuse the whole file: so does this (AptIndexError).
 * - the end of the file ends its last stanza (apt appends the blank line).
 * Only the stanzas whose Package is wanted become strings: the rest of a
 * 50 MB index is line scanning (a few tens of ms).
 */
import type { OfferedVersions } from './apt-lists.js';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const OTHER = 0;
const PACKAGE = 1;
const VERSION = 2;

export class AptIndexError extends Error {}

/** apt's isspace_ascii. */
const isSpace = (b: number): boolean => b === SPACE || (b >= 0x09 && b <= 0x0d);

const NAMES = [[PACKAGE, 'package'], [VERSION, 'version']] as const;

/** PACKAGE or VERSION when index[from, from + 7) is that field name in any case. */
function fieldKind(index: Buffer, from: number): number {
  for (const [kind, name] of NAMES) {
    let i = 0;
    while (i < 7 && (index[from + i]! | 0x20) === name.charCodeAt(i)) i++;
    if (i === 7) return kind;
  }
  return OTHER;
}

/** apt lower-cases a package name (ASCII only) unless it holds a '/'. */
function packageName(raw: string): string {
  return raw.includes('/') || !/[A-Z]/.test(raw) ? raw : raw.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Adds to `into` the Version of every stanza of `index` whose Package is in
 * `wanted` (every stanza's when `wanted` is undefined). Throws AptIndexError
 * where apt would refuse the file.
 */
export function scanPackagesIndex(index: Buffer, wanted: ReadonlySet<string> | undefined, into: OfferedVersions): OfferedVersions {
  const len = index.length;
  // apt appends LFs until the file ends with two; they are read here as bytes past the end.
  let trailing = 0;
  for (let i = len - 1; i >= 0 && (index[i] === LF || index[i] === CR); i--) if (index[i] === LF) trailing++;
  const end = len + Math.max(0, 2 - trailing);
  const at = (i: number): number => (i < len ? index[i]! : LF);
  const nextLf = (from: number): number => {
    const n = index.indexOf(LF, from);
    return n >= 0 ? n : from < end ? Math.max(from, len) : -1;
  };
  const lengths = wanted && new Set([...wanted].map((n) => n.length));

  let stop = 0;
  while (stop < len) {
    const start = stop;
    // One stanza: where the values of its last Package and Version fields lie, [from, to).
    let pkg: [number, number] | undefined;
    let ver: [number, number] | undefined;
    let kind = OTHER;
    let valueStart = -1;
    const close = (valueEnd: number): void => {
      if (kind === OTHER) return;
      let e = valueEnd;
      while (e > valueStart && isSpace(at(e - 1))) e--;
      if (kind === PACKAGE) pkg = [valueStart, e];
      else ver = [valueStart, e];
    };
    for (;;) {
      if (stop >= end) throw new AptIndexError('apt cannot parse it: the file ends inside a field');
      if (!isSpace(at(stop))) {
        close(stop);
        let colon = stop;
        while (colon < len && index[colon] !== COLON) colon++;
        if (colon >= len) throw new AptIndexError(`apt cannot parse it: no colon after byte ${stop}`);
        let nameEnd = colon;
        while (nameEnd - 1 > stop && isSpace(index[nameEnd - 1]!)) nameEnd--;
        kind = nameEnd - stop === 7 ? fieldKind(index, stop) : OTHER;
        // The value starts after white space, which runs on to the next line only when that line starts with a space.
        let v = colon + 1;
        while (v < end && isSpace(at(v)) && !(at(v) === LF && at(v + 1) !== SPACE)) v++;
        if (v >= end) throw new AptIndexError('apt cannot parse it: the file ends inside a field');
        valueStart = v;
        stop = v;
      }
      let nl = nextLf(stop);
      if (nl < 0) throw new AptIndexError('apt cannot parse it: the file ends inside a field');
      while (nl + 1 < end && at(nl + 1) === CR) nl++;
      stop = nl + 1;
      if (stop < end && at(stop) === LF) {
        close(nl);
        break;
      }
    }
    if (!pkg || pkg[0] === pkg[1]) throw new AptIndexError(`apt cannot parse it: a stanza with no Package field starts at byte ${start}`);
    // Lower-casing keeps the length: most stanzas are passed over without a string.
    if (ver && ver[0] < ver[1] && (!lengths || lengths.has(pkg[1] - pkg[0]))) {
      const name = packageName(index.toString('latin1', ...pkg));
      if (!wanted || wanted.has(name)) {
        const set = into.get(name) ?? new Set<string>();
        set.add(index.toString('latin1', ...ver));
        into.set(name, set);
      }
    }
    while (stop < end && (at(stop) === LF || at(stop) === CR)) stop++;
  }
  return into;
}
