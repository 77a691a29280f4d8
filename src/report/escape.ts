/**
 * Text that comes from the scanned tree (package names and versions, the
 * package tool's notes and messages, owner names, xattr names, file content)
 * is escaped exactly like a path before it is printed, in every format: an
 * md5sums file named `x\e[2K\r# driftscan: clean` must not erase a report line.
 */
import { displayPath } from '../paths.js';

/** A byte string (one char per byte, as the package parsers and paths hold text). */
export function escapeBytes(text: string): string {
  return displayPath(text);
}

/** A JavaScript string (UTF-16: decoded file text, owner names). */
export function escapeUnicode(text: string): string {
  return displayPath(Buffer.from(text, 'utf8').toString('latin1'));
}

/**
 * Text whose encoding is mixed (a driftscan message around a tool's output):
 * a char above 0xff can only be Unicode; otherwise it is taken as bytes. Both
 * ways, no control character, C1 code or bidi override gets through.
 */
export function escapeText(text: string): string {
  return /[^\x00-\xff]/.test(text) ? escapeUnicode(text) : escapeBytes(text);
}

/** Multi-line text (a diff, a dependency message): each line escaped, the line breaks kept. */
export function escapeLines(text: string, escape: (line: string) => string = escapeText): string {
  return text.split('\n').map(escape).join('\n');
}

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * For strings that are already display text (attribute values as their rows
 * print them, link targets escaped like paths): escapes only what could still
 * move the cursor or reorder a line, and leaves backslashes alone, so that
 * what was escaped once is not escaped twice.
 */
export function neutralize(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
  });
}
