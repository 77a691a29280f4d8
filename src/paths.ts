/**
 * Path bytes, the one home for them: joining a scanned root and a
 * root-relative BytePath, and the byte order every sorted list uses.
 */
import type { BytePath } from './types.js';

/** A BytePath for the bytes of a Buffer (one char per byte). */
export function bytePath(buf: Buffer): BytePath {
  return buf.toString('latin1');
}

/**
 * The root directory as a BytePath: the operator's path (a JS string, so
 * UTF-8) as its bytes, without a trailing slash; '/' stays '/'.
 */
export function rootBytes(root: string): BytePath {
  const trimmed = root === '/' ? '/' : root.replace(/\/+$/, '') || '/';
  return Buffer.from(trimmed, 'utf8').toString('latin1');
}

/** The bytes of a root-relative path under `root` (a BytePath), ready for fs calls. */
export function fsPath(root: BytePath, path: BytePath): Buffer {
  return Buffer.from(root === '/' || root === '' ? path : root + path, 'latin1');
}

/** The bytes of `path` under the operator's `root` (a JS string): fsPath for callers holding the root as given. */
export function inRoot(root: string, path: BytePath): Buffer {
  return fsPath(rootBytes(root), path);
}

/** The root as a command-line argument for a package tool's `--root`: "/mnt/disk/" -> "/mnt/disk"; "/" stays "/". */
export function rootArg(root: string): string {
  return root.replace(/\/+$/, '') || '/';
}

const scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Like fsPath, but into a shared buffer: valid only until the next call. For
 * the walk's synchronous calls, which would otherwise allocate per entry.
 */
export function fsPathScratch(root: BytePath, path: BytePath): Buffer {
  const full = root === '/' || root === '' ? path : root + path;
  if (full.length > scratch.length) return Buffer.from(full, 'latin1');
  return scratch.subarray(0, scratch.write(full, 0, 'latin1'));
}

/** Join a directory path and one name (both BytePaths). */
export function childPath(dir: BytePath, name: BytePath): BytePath {
  return dir === '/' ? '/' + name : dir + '/' + name;
}

/** True when `path` is `dir` itself or lies below it. */
export function isUnder(path: BytePath, dir: BytePath): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(dir + '/');
}

/**
 * Byte order of two BytePaths (latin1 strings: comparing char codes is
 * comparing bytes); the only sort order driftscan uses.
 */
export function comparePaths(a: BytePath, b: BytePath): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first of `sorted` (in byte order) that is not before `path`. */
export function lowerBound(sorted: readonly BytePath[], path: BytePath): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < path) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A path made safe to print on one line: valid UTF-8 is kept, control bytes and
 * invalid sequences become \n, \t, \\ or \xNN, so a crafted name cannot forge a
 * report line or move the cursor.
 */
export function displayPath(path: BytePath): string {
  const bytes = Buffer.from(path, 'latin1');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += escapeAscii(b);
      i++;
      continue;
    }
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    const seq = bytes.subarray(i, i + len);
    let text: string | undefined;
    if (len > 1 && seq.length === len) {
      try {
        text = decoder.decode(seq);
      } catch {
        text = undefined;
      }
    }
    // C1 controls and bidi overrides can also reorder a terminal line.
    if (text !== undefined && !/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text)) {
      out += text;
      i += len;
    } else {
      out += '\\x' + b.toString(16).padStart(2, '0');
      i++;
    }
  }
  return out;
}

function escapeAscii(b: number): string {
  if (b === 0x5c) return '\\\\';
  if (b === 0x0a) return '\\n';
  if (b === 0x09) return '\\t';
  if (b === 0x0d) return '\\r';
  if (b < 0x20 || b === 0x7f) return '\\x' + b.toString(16).padStart(2, '0');
  return String.fromCharCode(b);
}

/** True when the path's bytes are valid UTF-8 (JSON can then carry it as text). */
export function isUtf8(path: BytePath): boolean {
  try {
    decoder.decode(Buffer.from(path, 'latin1'));
    return true;
  } catch {
    return false;
  }
}
