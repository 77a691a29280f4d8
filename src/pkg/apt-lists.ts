/**
 * What the root's configured apt repositories offer: the package indexes
 * apt downloaded, /var/lib/apt/lists/*_Packages, kept uncompressed or (with
 * `Acquire::GzipIndexes`, Debian images' default) as `.lz4` or `.gz`.
 * Package name -> the versions offered, of the names asked about only (a
 * scan asks about what was installed or upgraded since its baseline). An
 * index is only as honest as the root it sits in: this tells a .deb of
 * somebody's own from one apt fetched, not a root attacker from an
 * administrator.
 */
import { gunzipSync } from 'node:zlib';
import type { BytePath } from '../types.js';
import { listQuiet, MAX_READ_WHOLE, readQuiet } from './quiet-fs.js';
import { decodeLz4Frames } from './lz4-frame.js';
import { locateInRoot } from './resolve-in-root.js';
import { inRoot } from '../paths.js';
import { scanPackagesIndex } from './apt-tagfile.js';

export const APT_LISTS_DIR = '/var/lib/apt/lists';

export type OfferedVersions = Map<string, Set<string>>;

/**
 * Adds the versions `text` offers of the `wanted` package names (every name
 * when undefined), read as apt reads it (apt-tagfile.ts).
 */
export function parsePackagesIndex(text: Buffer | string, wanted?: ReadonlySet<string>, into: OfferedVersions = new Map()): OfferedVersions {
  return scanPackagesIndex(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, wanted, into);
}

/** The forms one index may be kept in, tried in this order; null: Node 20 has no decoder for it. */
const FORMS: Array<[suffix: string, decode: ((raw: Buffer) => Buffer) | null]> = [
  ['', (raw) => raw],
  ['.lz4', (raw) => decodeLz4Frames(raw, MAX_READ_WHOLE)],
  ['.gz', (raw) => gunzipSync(raw, { maxOutputLength: MAX_READ_WHOLE })],
  ['.xz', null],
  ['.zst', null],
];

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EFBIG' || e.code === 'ERR_BUFFER_TOO_LARGE') return `larger than ${MAX_READ_WHOLE} bytes`;
  return e.message ?? String(err);
}

/**
 * The versions the root's apt indexes offer of the `wanted` package names;
 * an empty map when there are none, and nothing is read when no name is
 * wanted. One source's index is read in the first form that decodes and
 * parses; when none does, `unread` gets a line naming its files and why, so
 * that a source's versions are never silently "offered nothing".
 */
export function readAptLists(root: string, wanted: ReadonlySet<string>, unread: string[] = []): OfferedVersions {
  const offered: OfferedVersions = new Map();
  if (wanted.size === 0) return offered;
  let dir: BytePath | undefined;
  try {
    dir = locateInRoot(root, APT_LISTS_DIR, 'dir');
  } catch {
    return offered;
  }
  if (dir === undefined) return offered;
  let names: string[];
  try {
    names = listQuiet(inRoot(root, dir));
  } catch {
    return offered;
  }
  const present = new Set(names);
  const sources = new Set(names.map((n) => /^(.*_Packages)(\.(lz4|gz|xz|zst))?$/.exec(n)?.[1]).filter((s): s is string => !!s));
  for (const source of [...sources].sort()) {
    const failures: string[] = [];
    const read = FORMS.some(([suffix, decode]) => {
      const name = source + suffix;
      if (!present.has(name)) return false;
      if (!decode) return failures.push(`${dir}/${name} (no ${suffix.slice(1)} decoder)`), false;
      try {
        // A file apt refuses offers nothing, not the stanzas before the fault.
        const found = parsePackagesIndex(decode(readQuiet(inRoot(root, `${dir}/${name}`))), wanted);
        for (const [pkg, versions] of found) offered.set(pkg, new Set([...(offered.get(pkg) ?? []), ...versions]));
        return true;
      } catch (err) {
        return failures.push(`${dir}/${name} (${why(err)})`), false;
      }
    });
    if (!read) unread.push(`apt index not read, the versions it offers are not known: ${failures.join(', ')}`);
  }
  return offered;
}
