import type { Command } from 'commander';
import type { BaselineHeader, Entry } from '../types.js';
import { attrRow, readAttr } from '../attrs/registry.js';
import { displayPath, isUnder } from '../paths.js';
import { loadBaseline } from '../scan/scan.js';
import { publicKeyFrom } from './common.js';
import { UsageError } from '../errors.js';
import { escapeBytes, escapeText, neutralize } from '../report/escape.js';

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
  for (const name of ['sha256', 'xxh64', 'caps']) if (a[name]) line += `  ${name}=${fmt(name)}`;
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
function headerLines(h: BaselineHeader): string[] {
  const { policy, unlisted, growing, ...rest } = h;
  const lines = Object.entries(rest).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map((x) => escapeText(String(x))).join(' ') : escapeText(String(v))}`);
  if (growing) lines.push(`growing: ${growing.map(([path, size]) => `${displayPath(path)},${size}`).join(' ')}`);
  lines.push(`unlisted: ${unlisted.map(displayPath).join(' ')}`, 'policy:', ...policy.split('\n').map(neutralize));
  return lines;
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('list a verified baseline\'s entries like find -ls, with digests')
    .argument('<file>', 'baseline file')
    .argument('[path]', 'only this path and what is below it')
    .option('--pubkey <file>', 'Ed25519 public key (default: the default key directory\'s driftscan.pub)')
    .option('--header', 'print the header and policy instead of the entries')
    .option('--packages', 'list the installed packages recorded in the baseline')
    .action((file: string, only: string | undefined, opts: { pubkey?: string; header?: boolean; packages?: boolean }) => {
      if (opts.header && opts.packages) throw new UsageError('--header and --packages conflict: show one of them');
      const b = loadBaseline(file, publicKeyFrom(opts.pubkey));
      const out = process.stdout;
      if (opts.header) {
        out.write(headerLines(b.header).join('\n') + '\n');
        return;
      }
      if (opts.packages) {
        if (!b.packages) {
          out.write('# no package data in this baseline\n');
          return;
        }
        for (const p of b.packages.packages) out.write(`${escapeBytes(p.name)}\t${escapeBytes(p.version)}\t${escapeBytes(p.arch)}\n`);
        return;
      }
      const prefix = only === undefined ? undefined : Buffer.from(only.replace(/(.)\/+$/, '$1'), 'utf8').toString('latin1');
      for (const e of b.entries) if (prefix === undefined || isUnder(e.path, prefix)) out.write(showLine(e) + '\n');
    });
}
