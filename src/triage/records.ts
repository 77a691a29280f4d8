/**
 * What a package database records about a path beyond its digest, compared
 * with what the walk found: rpm's file attributes, dpkg-statoverride entries.
 */
import type { AttrValue } from '../types.js';
import type { RpmFileRecord } from '../pkg/rpm-records.js';
import type { EntryFacts } from './rules.js';

/**
 * What a package database records about a path beyond its digest: rpm's
 * file attributes, or a dpkg-statoverride entry (mode, owner, group; an
 * owner `#1000` is a uid). Absent fields are not compared.
 */
export type RecordedAttrs = Partial<Pick<RpmFileRecord, 'mode' | 'user' | 'group' | 'target' | 'size' | 'mtime'>>;

function sameOwner(name: AttrValue | undefined, id: AttrValue | undefined, recorded: string): boolean {
  if (recorded.startsWith('#')) return typeof id !== 'number' || id === Number(recorded.slice(1));
  return typeof name !== 'string' || name === recorded;
}

/** The first recorded attribute the disk does not match (only those the walk recorded are compared). */
export function recordMismatch(e: EntryFacts, rec: RecordedAttrs): string | undefined {
  const a = e.attrs;
  if (!a) return undefined;
  const checks: Array<[string, boolean]> = [
    ['mode', rec.mode !== undefined && typeof a.mode === 'number' && e.kind !== 'symlink' && a.mode !== (rec.mode & 0o7777)],
    ['owner', rec.user !== undefined && !sameOwner(a.owner, a.uid, rec.user)],
    ['group', rec.group !== undefined && !sameOwner(a.group, a.gid, rec.group)],
    ['link target', rec.target !== undefined && e.kind === 'symlink' && typeof a.target === 'string' && a.target !== rec.target],
    ['size', rec.size !== undefined && e.kind === 'file' && typeof a.size === 'number' && a.size !== rec.size],
    ['mtime', rec.mtime !== undefined && e.kind === 'file' && Array.isArray(a.mtime) && a.mtime[0] !== rec.mtime],
  ];
  return checks.find(([, differs]) => differs)?.[0];
}

