/**
 * Reading a verified baseline back: `verify` (is the signature good, and
 * what does it cover) and `show` (its entries, header or packages as lines).
 * Data, not printing: the caller writes the lines where it wants.
 */
import type { KeyObject } from 'node:crypto';
import { keyId } from '../baseline/keys.js';
import { openBaselineFile } from '../baseline/load.js';
import { displayPath, isUnder } from '../paths.js';
import { headerLines, packageLines, showLine } from '../report/show.js';
import { UsageError } from '../errors.js';

export interface Verified {
  keyId: string;
  entries: number;
  host: string;
  created: string;
}

/** Throws SignatureError (or a read or format error) unless the file verifies with the key. */
export function verify(file: string, publicKey: KeyObject): Verified {
  const opened = openBaselineFile(file, publicKey);
  try {
    // Every entry decoded and checked, one at a time (none kept).
    let entries = 0;
    opened.reader.forEachEntry(() => entries++);
    const { header } = opened.reader;
    return { keyId: keyId(publicKey), entries, host: header.host, created: header.created };
  } finally {
    opened.close();
  }
}

export interface ShowOptions {
  /** Only this path and what is below it (a trailing slash ignored). */
  path?: string;
  header?: boolean;
  packages?: boolean;
}

export function show(file: string, publicKey: KeyObject, opts: ShowOptions = {}): Iterable<string> {
  if (opts.header && opts.packages) throw new UsageError('--header and --packages conflict: show one of them');
  const opened = openBaselineFile(file, publicKey);
  const { reader } = opened;
  if (opts.header || opts.packages) {
    opened.close();
    return opts.header ? headerLines(reader.header) : packageLines(reader.packages);
  }
  const prefix = opts.path === undefined ? undefined : Buffer.from(opts.path.replace(/(.)\/+$/, '$1'), 'utf8').toString('latin1');
  // Decoded as they are printed: a baseline of ten million entries is never held.
  return (function* lines() {
    try {
      const cursor = reader.cursor();
      let shown = 0;
      for (let e = cursor.next(); e; e = cursor.next()) {
        if (prefix !== undefined && !isUnder(e.path, prefix)) continue;
        shown++;
        yield showLine(e);
      }
      // Like find or ls on a typo: an empty listing would read as "recorded, and nothing there".
      if (prefix !== undefined && shown === 0) {
        throw new UsageError(`${displayPath(prefix)} is not in the baseline (nothing recorded at or below it)`);
      }
    } finally {
      opened.close();
    }
  })();
}
