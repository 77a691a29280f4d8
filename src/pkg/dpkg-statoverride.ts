/**
 * dpkg-statoverride's table, /var/lib/dpkg/statoverride: one override a line,
 * "OWNER GROUP MODE PATH" (MODE octal; OWNER or GROUP `#ID` for a bare id).
 * A packaged file whose mode or owner an administrator overrode is the
 * package's content only with those: triage compares them like rpm's records.
 */
import type { BytePath } from '../types.js';
import { locateDpkgDb } from './dpkg-db.js';
import { readQuiet } from './quiet-fs.js';
import { inRoot } from '../paths.js';

export interface StatOverride {
  user: string;
  group: string;
  mode: number;
}

export function parseStatOverrides(text: string): Map<BytePath, StatOverride> {
  const out = new Map<BytePath, StatOverride>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+) ([0-7]+) (\/.*)$/.exec(line);
    if (m) out.set(m[4]!, { user: m[1]!, group: m[2]!, mode: parseInt(m[3]!, 8) });
  }
  return out;
}

/** The overrides, or none when the root has no such file (or it cannot be read inside the root). */
export function readStatOverrides(root: string): Map<BytePath, StatOverride> {
  try {
    const admin = locateDpkgDb(root);
    return admin === undefined ? new Map() : parseStatOverrides(readQuiet(inRoot(root, `${admin}/statoverride`)).toString('latin1'));
  } catch {
    return new Map();
  }
}
