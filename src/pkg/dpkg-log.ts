/**
 * The root's own record of when dpkg ran: /var/log/dpkg.log (and the
 * uncompressed dpkg.log.1 logrotate leaves). Each line is
 *   YYYY-MM-DD HH:MM:SS startup archives unpack
 *   YYYY-MM-DD HH:MM:SS upgrade NAME:ARCH OLD NEW        (install: OLD is <none>)
 *   YYYY-MM-DD HH:MM:SS status installed NAME:ARCH VERSION
 * The times are the root's local time at one-second resolution; they are
 * read as the scanning host's local time (the same zone on a live scan).
 * Read inside the root, without following links, without touching atimes.
 */
import type { BytePath } from '../types.js';
import { readQuiet } from './quiet-fs.js';
import { locateInRoot } from './resolve-in-root.js';
import { inRoot } from '../paths.js';

export interface LogEvent {
  /** Seconds since the epoch. */
  time: number;
  /** startup, install, upgrade, remove, purge, configure, trigproc, status, conffile, ... */
  action: string;
  name?: string;
  arch?: string;
  /** The words after the package: OLD NEW for install/upgrade/remove, VERSION for status. */
  versions: string[];
  /** For status lines: the state (installed, half-configured, not-installed, ...). */
  state?: string;
}

const LINE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) (\S+)(?: (.*))?$/;

function splitPackage(word: string): { name: string; arch: string } {
  const cut = word.indexOf(':');
  return cut < 0 ? { name: word, arch: '' } : { name: word.slice(0, cut), arch: word.slice(cut + 1) };
}

export function parseDpkgLog(text: string): LogEvent[] {
  const out: LogEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, action, rest = ''] = m;
    const time = new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!).getTime() / 1000;
    const words = rest.split(' ').filter((w) => w !== '');
    if (action === 'status') {
      const [state, pkg, ...versions] = words;
      if (pkg) out.push({ time, action, state, ...splitPackage(pkg), versions });
    } else if (action === 'startup' || action === 'conffile' || !words[0]) {
      out.push({ time, action, versions: [] });
    } else {
      out.push({ time, action, ...splitPackage(words[0]), versions: words.slice(1) });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

function readLog(root: string, path: BytePath): string {
  try {
    return readQuiet(inRoot(root, path)).toString('latin1');
  } catch {
    return ''; // absent, a link, unreadable: no windows from it, so nothing is explained by them
  }
}

/** The events of dpkg.log.1 and dpkg.log, oldest first; none when the root keeps no log. */
export function readDpkgLog(root: string): LogEvent[] {
  let dir: BytePath | undefined;
  try {
    dir = locateInRoot(root, '/var/log', 'dir');
  } catch {
    return [];
  }
  if (dir === undefined) return [];
  return parseDpkgLog(readLog(root, `${dir}/dpkg.log.1`) + '\n' + readLog(root, `${dir}/dpkg.log`));
}
