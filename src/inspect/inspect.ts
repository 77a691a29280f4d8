/**
 * Reading a verified baseline back: `verify` (is the signature good, and
 * what does it cover) and `show` (its entries, header or packages as lines).
 * Data, not printing: the caller writes the lines where it wants.
 */
import type { KeyObject } from 'node:crypto';
import { keyId } from '../baseline/keys.js';
import { loadBaseline } from '../baseline/load.js';
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
  const b = loadBaseline(file, publicKey);
  return { keyId: keyId(publicKey), entries: b.entries.length, host: b.header.host, created: b.header.created };
}

export interface ShowOptions {
  /** Only this path and what is below it (a trailing slash ignored). */
  path?: string;
  header?: boolean;
  packages?: boolean;
}

export function show(file: string, publicKey: KeyObject, opts: ShowOptions = {}): Iterable<string> {
  if (opts.header && opts.packages) throw new UsageError('--header and --packages conflict: show one of them');
  const b = loadBaseline(file, publicKey);
  if (opts.header) return headerLines(b.header);
  if (opts.packages) return packageLines(b.packages);
  const prefix = opts.path === undefined ? undefined : Buffer.from(opts.path.replace(/(.)\/+$/, '$1'), 'utf8').toString('latin1');
  // Like find or ls on a typo: an empty listing would read as "recorded, and nothing there".
  if (prefix !== undefined && !b.entries.some((e) => isUnder(e.path, prefix))) {
    throw new UsageError(`${displayPath(prefix)} is not in the baseline (nothing recorded at or below it)`);
  }
  return (function* lines() {
    for (const e of b.entries) if (prefix === undefined || isUnder(e.path, prefix)) yield showLine(e);
  })();
}
