/**
 * One parse of each dpkg info file, shared by the owner data (dpkg-db.ts) and
 * driftscan's own verify plan (dpkg-verify-plan.ts). Both used to split every
 * line of the 32 MB of list and md5sums files on a desktop Debian for
 * themselves; the rows below hold what either needs, each path sliced once,
 * so the plan looks up the very strings (their hashes computed) the owner
 * data was keyed by.
 *
 * The two read a file by different rules, kept apart here:
 * - the owner data takes every non-empty line (and, of md5sums, those shaped
 *   "<32 hex digits>  <path>"), whatever else the file holds;
 * - dpkg aborts on a file without its final newline, an empty path in a
 *   list, an md5sums line too short or without the two spaces: `problem`
 *   says which, and the plan then runs the real tool (NotModelled). Without
 *   a problem, the rows are every line of the file, as dpkg reads them.
 */
import type { BytePath } from '../types.js';

export const MISSING_NEWLINE = 'is missing its final newline';
export const EMPTY_PATH = 'names an empty path';
export const MALFORMED_LINE = 'has a malformed line';

export interface ListRows {
  kind: 'list';
  /** Every non-empty line, as written. */
  paths: BytePath[];
  /** Why dpkg would not read this file through (the first reason met); undefined: `paths` are its lines. */
  problem?: string;
}

export interface SumRows {
  kind: 'sums';
  /** Of each line with 34 characters or more and two spaces after the first 32: those 32, as written. */
  digests: string[];
  /** The same lines' paths, with a '/' put before them. */
  paths: BytePath[];
  /** Indexes of the digests that are not 32 lower-case hex digits (seen while the text is at hand; rare). */
  unusual: number[];
  problem?: string;
}

export type InfoRows = ListRows | SumRows;

/** A list file (info/PKG.list): one path a line. */
export function parseList(text: string): ListRows {
  const paths: BytePath[] = [];
  let problem = text !== '' && text.charCodeAt(text.length - 1) !== 10 ? MISSING_NEWLINE : undefined;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end === at) problem ??= EMPTY_PATH;
    else {
      // "/" is empty too once dpkg strips its trailing slash.
      if (end === at + 1 && text.charCodeAt(at) === 47) problem ??= EMPTY_PATH;
      paths.push(text.slice(at, end));
    }
    at = end + 1;
  }
  return { kind: 'list', paths, problem };
}

/** An md5sums file (info/PKG.md5sums): "<md5>  <path without its leading slash>" a line. */
export function parseSums(text: string): SumRows {
  const digests: string[] = [];
  const paths: BytePath[] = [];
  const unusual: number[] = [];
  let problem = text !== '' && text.charCodeAt(text.length - 1) !== 10 ? MISSING_NEWLINE : undefined;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end - at >= 34 && text.charCodeAt(at + 32) === 32 && text.charCodeAt(at + 33) === 32) {
      // dpkg wants a path after the spaces; the owner data takes an empty one as "/".
      if (end - at === 34) problem ??= MALFORMED_LINE;
      if (!isLowerHex32(text, at)) unusual.push(digests.length);
      digests.push(text.slice(at, at + 32));
      paths.push(`/${text.slice(at + 34, end)}`);
    } else problem ??= MALFORMED_LINE;
    at = end + 1;
  }
  return { kind: 'sums', digests, paths, unusual, problem };
}

function isLowerHex32(text: string, at: number): boolean {
  for (let i = at; i < at + 32; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The digest in lower case when its 32 characters are hex digits (either case); undefined otherwise. */
export function hexDigest(digest: string): string | undefined {
  let upper = false;
  for (let i = 0; i < 32; i++) {
    const c = digest.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue;
    if (c >= 0x41 && c <= 0x46) upper = true;
    else return undefined;
  }
  return upper ? digest.toLowerCase() : digest;
}
