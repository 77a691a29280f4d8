/**
 * What `show` prints, as lines: entries like `find -ls` with digests, the
 * header and policy, the package list. Every text from the scanned tree escaped.
 */
import type { BaselineHeader, Entry, PackageData } from '../types.js';
import { attrRow, DIGEST_ROWS, readAttr } from '../attrs/registry.js';
import { displayPath } from '../paths.js';
import { escapeBytes, escapeText, neutralize } from './escape.js';

const TYPE_CHAR: Record<string, string> = {
  file: '-', dir: 'd', symlink: 'l', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b',
};

/** ls-style permission string, with setuid/setgid/sticky as s/S, t/T. */
export function permString(kind: string, mode: number): string {
  const bits = 'rwxrwxrwx'.split('').map((c, i) => ((mode >> (8 - i)) & 1 ? c : '-'));
  const special = (i: number, bit: number, on: string, off: string) => {
    if (mode & bit) bits[i] = bits[i] === 'x' ? on : off;
  };
  special(2, 0o4000, 's', 'S');
  special(5, 0o2000, 's', 'S');
  special(8, 0o1000, 't', 'T');
  return (TYPE_CHAR[kind] ?? '?') + bits.join('');
}

/** One `find -ls`-like line: inode links perms owner group size mtime path [-> target], then digests. */
export function showLine(e: Entry): string {
  const a = e.attrs;
  const fmt = (name: string) => {
    const row = attrRow(name)!;
    const v = readAttr(row, e);
    return v === undefined ? '-' : row.format(v);
  };
  const mode = typeof a.mode === 'number' ? a.mode : 0o777;
  const size = a.size ?? (a.rdev ? fmt('rdev') : '-');
  let line = `${String(a.inode ?? '-').padStart(9)} ${String(a.nlink ?? '-').padStart(3)} ${permString(e.kind, mode)} ` +
    `${nameOrId(e, 'owner', 'uid').padEnd(8)} ${nameOrId(e, 'group', 'gid').padEnd(8)} ` +
    `${String(size).padStart(10)} ${fmt('mtime')} ${displayPath(e.path)}`;
  if (e.kind === 'symlink') line += ` -> ${fmt('target')}`;
  for (const name of [...DIGEST_ROWS.map((r) => r.name), 'caps']) if (a[name]) line += `  ${name}=${fmt(name)}`;
  if (a.xattrs && Object.keys(a.xattrs).length) line += `  xattrs: ${fmt('xattrs')}`;
  const flags = [e.config ? 'config' : '', e.growing ? 'growing' : ''].filter(Boolean);
  if (flags.length) line += `  [${flags.join(',')}]`;
  if (e.untested) line += `  untested: ${Object.entries(e.untested).map(([k, v]) => `${escapeText(k)} (${escapeText(v)})`).join(', ')}`;
  return line;
}

/** The owner (or group) name as its row prints it (escaped: it comes from the root's /etc/passwd), else the id. */
function nameOrId(e: Entry, name: 'owner' | 'group', id: 'uid' | 'gid'): string {
  const value = e.attrs[name];
  if (typeof value === 'string') return attrRow(name)!.format(value);
  return String(e.attrs[id] ?? '-');
}

/** `show --header`: every value escaped; growing logs as path,size; the policy with its control characters escaped. */
export function headerLines(h: BaselineHeader): string[] {
  const { policy, unlisted, growing, ...rest } = h;
  const lines = Object.entries(rest).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map((x) => escapeText(String(x))).join(' ') : escapeText(String(v))}`);
  if (growing) lines.push(`growing: ${growing.map(([path, size]) => `${displayPath(path)},${size}`).join(' ')}`);
  lines.push(`unlisted: ${unlisted.map(displayPath).join(' ')}`, 'policy:', ...policy.split('\n').map(neutralize));
  return lines;
}

/** `show --packages`: name, version, arch per line. */
export function packageLines(packages: PackageData | undefined): string[] {
  if (!packages) return ['# no package data in this baseline'];
  return packages.packages.map((p) => `${escapeBytes(p.name)}\t${escapeBytes(p.version)}\t${escapeBytes(p.arch)}`);
}
