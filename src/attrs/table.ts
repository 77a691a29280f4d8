/**
 * The attribute table: one row per attribute, each with its on-disk code.
 * Collecting, comparing, printing, rpm's flag letters, --attrs validation,
 * help text, the digest algorithms and the baseline's attribute codes all
 * derive from it (registry.ts); compare/ never names an attribute.
 */
import type { StatRecord } from '../native-stat.js';
import type { AttrValue, Entry, FileKind } from '../types.js';
import { decodeCapabilities } from './caps.js';
import {
  formatOctal, formatTime, formatXattrValue, sameTime, sameValue,
} from './values.js';
import { displayPath } from '../paths.js';
import { unifiedDiff } from './textdiff.js';
import { FAILLOG, LASTLOG, explainRecords, formatRecords, readRecords, recordFaults, type ChunkReader, type RecordLayout } from './records.js';

export type RpmLetter = 'S' | 'M' | '5' | 'D' | 'L' | 'U' | 'G' | 'T' | 'P';
export const RPM_LETTERS: readonly RpmLetter[] = ['S', 'M', '5', 'D', 'L', 'U', 'G', 'T', 'P'];

/** content: read by the hash pool; records: read on the walk's thread, by the row. */
export type AttrSource = 'entry' | 'stat' | 'names' | 'readlink' | 'xattr' | 'content' | 'records';

/** What a row may read when it collects a value. */
export interface CollectInput {
  kind: FileKind;
  st: StatRecord;
  /** uid -> user name and gid -> group name from the root's own /etc files. */
  users: ReadonlyMap<number, string>;
  groups: ReadonlyMap<number, string>;
  target?: string;
  xattrs?: ReadonlyArray<readonly [string, Buffer]>;
  /** The file's bytes, read without following a link or touching its atime (source 'records'). */
  read?: ChunkReader;
}

/** Facts about the path that some rows' comparisons depend on. */
export interface CompareContext {
  growing: boolean;
  /** Digests of the first (baseline size) bytes of the new content, for growing logs. */
  prefix?: Record<string, string>;
}

export interface AttrRow {
  name: string;
  /**
   * How the baseline file names the attribute: fixed once written (a baseline
   * of today must decode tomorrow), unique, never reused.
   */
  code: number;
  /** A content digest: the algorithm (node:crypto's name, run by the addon through Node's OpenSSL; xxh64 is the addon's own) and whether it resists an attacker. */
  digest?: { algorithm: string; secure: boolean };
  letter?: RpmLetter;
  source: AttrSource;
  description: string;
  appliesTo(kind: FileKind): boolean;
  /** Absent for content digests, which the hash pool computes. May throw an error with an errno `code`. */
  collect?(input: CollectInput): AttrValue;
  /** Reads the value off an entry; only `type` overrides the attrs lookup. */
  read?(entry: Entry): AttrValue | undefined;
  equal(old: AttrValue, now: AttrValue, ctx: CompareContext): boolean;
  format(value: AttrValue): string;
  /** How a string value is kept in the baseline file: hex digests and path bytes as binary. */
  stored?: 'hex' | 'bytes';
  /** Recorded only where the policy asks for it by name (`attrs GLOB +NAME`). */
  optIn?: boolean;
  /** A readable account of a difference, shown under the finding (a diff of a config file). */
  explain?(old: AttrValue, now: AttrValue): string;
}

const any = (): boolean => true;
const only = (...kinds: FileKind[]) => (kind: FileKind): boolean => kinds.includes(kind);
const exact = (a: AttrValue, b: AttrValue): boolean => sameValue(a, b);
const text = (v: AttrValue): string => (v === null ? '(none)' : String(v));
/** Owner and group names come from the scanned root's /etc files: escaped like a path. */
const nameText = (v: AttrValue): string => (typeof v === 'string' ? displayPath(Buffer.from(v, 'utf8').toString('latin1')) : text(v));

/** A content digest's row: the hash pool computes it with the algorithm of the same name. */
export function digestRow(code: number, name: string, description: string, secure = true): AttrRow {
  return {
    name, code, digest: { algorithm: name, secure }, letter: '5', source: 'content', description, appliesTo: only('file'), stored: 'hex',
    // A growing log is unchanged when its old content is still its prefix.
    equal: (a, b, ctx) => (ctx.growing && ctx.prefix?.[name] !== undefined ? a === ctx.prefix[name] : a === b),
    format: text,
  };
}

function timeRow(code: number, name: 'mtime' | 'ctime', letter: RpmLetter | undefined, description: string): AttrRow {
  return {
    name, code, letter, source: 'stat', description, appliesTo: any,
    collect: ({ st }) => (name === 'mtime' ? st.mtime : st.ctime),
    equal: (a, b, ctx) => ctx.growing || sameTime(a, b),
    format: formatTime,
  };
}

function recordsRow(code: number, layout: RecordLayout): AttrRow {
  return {
    name: layout.name, code, letter: '5', source: 'records', appliesTo: only('file'), optIn: true,
    description: `${layout.name} records (${layout.size} bytes a uid): a record's time may only move forward`,
    collect: ({ st, read }) => readRecords(layout, st.size, read!),
    equal: (a, b) => recordFaults(a, b).length === 0,
    format: formatRecords,
    explain: explainRecords,
  };
}

const CAPABILITY_XATTR = 'security.capability';

/** Files up to this size keep their text where the policy asks for `content`. */
export const KEEP_CONTENT_BYTES = 64 * 1024;

/**
 * The content value of a file whose text is not kept because not everyone on
 * the host may read it: a marker with the file's digest (so a change still
 * shows as a content difference), never the text.
 */
export const NOT_WORLD_READABLE = 'not world-readable';

export function withheldContent(digest: string | undefined): Readonly<Record<string, string>> {
  return digest ? { withheld: NOT_WORLD_READABLE, digest } : { withheld: NOT_WORLD_READABLE };
}

function withheldReason(v: AttrValue): string | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>).withheld : undefined;
}

function explainContent(a: AttrValue, b: AttrValue): string {
  const withheld = withheldReason(a) ?? withheldReason(b);
  if (withheld) return `text not kept: ${withheld}`;
  return typeof a === 'string' && typeof b === 'string' ? unifiedDiff(a, b) : 'content differs (too large to keep)';
}

/** In print order; each row's code is its own, not its place here. */
export const ATTRIBUTES: readonly AttrRow[] = [
  {
    name: 'type', code: 0, letter: 'M', source: 'entry', description: 'file type', appliesTo: any,
    read: (e) => e.kind, equal: exact, format: text,
  },
  {
    name: 'mode', code: 1, letter: 'M', source: 'stat', description: 'permission and setuid/setgid/sticky bits',
    appliesTo: only('file', 'dir', 'fifo', 'socket', 'chardev', 'blockdev'),
    collect: ({ st }) => st.mode & 0o7777, equal: exact, format: formatOctal,
  },
  {
    name: 'size', code: 2, letter: 'S', source: 'stat', description: 'size in bytes (a growing log may only grow)',
    appliesTo: only('file'),
    collect: ({ st }) => st.size,
    equal: (a, b, ctx) => (ctx.growing ? (b as number) >= (a as number) : a === b),
    format: text,
  },
  digestRow(3, 'sha256', 'SHA-256 of the content'),
  digestRow(4, 'xxh64', 'xxh64 of the content (fast; resists accidents, not attackers)', false),
  {
    name: 'rdev', code: 5, letter: 'D', source: 'stat', description: 'device major,minor',
    appliesTo: only('chardev', 'blockdev'),
    collect: ({ st }) => [st.rdevMajor, st.rdevMinor], equal: exact,
    format: (v) => (Array.isArray(v) ? v.join(',') : text(v)),
  },
  {
    name: 'target', code: 6, letter: 'L', source: 'readlink', description: 'symlink target', appliesTo: only('symlink'),
    stored: 'bytes',
    collect: ({ target }) => target ?? null, equal: exact,
    format: (v) => (typeof v === 'string' ? displayPath(v) : text(v)),
  },
  {
    name: 'uid', code: 7, letter: 'U', source: 'stat', description: 'owner id', appliesTo: any,
    collect: ({ st }) => st.uid, equal: exact, format: text,
  },
  {
    name: 'owner', code: 8, letter: 'U', source: 'names', description: "owner name from the root's /etc/passwd", appliesTo: any,
    collect: ({ st, users }) => users.get(st.uid) ?? null, equal: exact, format: nameText,
  },
  {
    name: 'gid', code: 9, letter: 'G', source: 'stat', description: 'group id', appliesTo: any,
    collect: ({ st }) => st.gid, equal: exact, format: text,
  },
  {
    name: 'group', code: 10, letter: 'G', source: 'names', description: "group name from the root's /etc/group", appliesTo: any,
    collect: ({ st, groups }) => groups.get(st.gid) ?? null, equal: exact, format: nameText,
  },
  timeRow(11, 'mtime', 'T', 'modification time, nanoseconds'),
  {
    name: 'caps', code: 12, letter: 'P', source: 'xattr', description: 'file capabilities (security.capability)',
    appliesTo: only('file'),
    collect: ({ xattrs }) => {
      const raw = xattrs?.find(([n]) => n === CAPABILITY_XATTR)?.[1];
      return raw ? decodeCapabilities(raw) : null;
    },
    equal: exact, format: text,
  },
  {
    name: 'xattrs', code: 13, source: 'xattr', description: 'other extended attributes (SELinux label, ACLs, ...)',
    appliesTo: any,
    collect: ({ xattrs }) => {
      const others = (xattrs ?? []).filter(([n]) => n !== CAPABILITY_XATTR);
      // Most files have none: null costs no object per entry (1M entries, 50 MB).
      if (others.length === 0) return null;
      const out: Record<string, string> = {};
      for (const [n, v] of others.sort((x, y) => (x[0] < y[0] ? -1 : 1))) out[n] = v.toString('hex');
      return out;
    },
    equal: exact,
    format: (v) => {
      const rec = (v ?? {}) as Record<string, string>;
      const parts = Object.entries(rec).map(([n, hex]) => `${displayPath(n)}=${formatXattrValue(hex)}`);
      return parts.length ? parts.join(' ') : '(none)';
    },
  },
  timeRow(14, 'ctime', undefined, 'inode change time, nanoseconds'),
  {
    name: 'content', code: 15, source: 'content', appliesTo: only('file'), stored: 'bytes', optIn: true,
    description: `the text of small files (up to ${KEEP_CONTENT_BYTES / 1024} KiB) the policy names, to show a diff`,
    // No letter of its own: the digests already say 5.
    equal: exact,
    format: (v) => (typeof v === 'string' ? `(${v.length} bytes)` : `(not kept: ${withheldReason(v) ?? 'too large'})`),
    explain: explainContent,
  },
  {
    name: 'inode', code: 16, source: 'stat', description: 'inode number (a replaced file gets a new one)',
    appliesTo: any,
    collect: ({ st }) => st.ino,
    equal: exact, format: text,
  },
  {
    name: 'nlink', code: 17, source: 'stat', description: 'hard link count', appliesTo: only('file', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'),
    collect: ({ st }) => st.nlink, equal: exact, format: text,
  },
  recordsRow(18, LASTLOG),
  recordsRow(19, FAILLOG),
];
