/**
 * What rpm's database records beyond digests, for triage: each package's
 * INSTALLTIME (the start of its side-effect window) and, per file, the mode,
 * owner, group, link target, size and mtime the disk must match for the file
 * to count as the package's content. One `rpm -qa` query.
 */
import type { BytePath } from '../types.js';
import { ensureRpmDb, runRpm } from './rpm.js';
import { shellWords } from './shell-words.js';
import type { RunOptions } from './run.js';

export interface RpmFileRecord {
  /** st_mode as rpm records it (type and permission bits). */
  mode: number;
  user: string;
  group: string;
  /** Link target, '' for anything but a symlink. */
  target: string;
  size: number;
  /** Seconds. */
  mtime: number;
}

export interface RpmRecords {
  /** "name\0evr" -> INSTALLTIME, seconds. */
  installTimes: Map<string, number>;
  files: Map<BytePath, RpmFileRecord>;
}

const FORMAT =
  'P %{NAME:shescape} %{EVR:shescape} %{INSTALLTIME}\\n' +
  '[F %{FILENAMES:shescape} %{FILEMODES} %{FILEUSERNAME:shescape} %{FILEGROUPNAME:shescape} ' +
  '%{FILELINKTOS:shescape} %{FILESIZES} %{FILEMTIMES} %{FILESTATES}\\n]';

/** rpm's RPMFILE_STATE_NORMAL: other states mean the disk holds another package's copy, or nothing. */
const STATE_NORMAL = '0';

export function parseRpmRecords(output: string): RpmRecords {
  const words = shellWords(output);
  const out: RpmRecords = { installTimes: new Map(), files: new Map() };
  let i = 0;
  while (i < words.length) {
    if (words[i] === 'P' && i + 3 < words.length) {
      const time = Number(words[i + 3]);
      if (Number.isInteger(time)) out.installTimes.set(`${words[i + 1]}\0${words[i + 2]}`, time);
      i += 4;
    } else if (words[i] === 'F' && i + 8 < words.length) {
      const [path, mode, user, group, target, size, mtime, state] = words.slice(i + 1, i + 9) as string[];
      if (state === STATE_NORMAL && !out.files.has(path!)) {
        out.files.set(path!, { mode: Number(mode), user: user!, group: group!, target: target!, size: Number(size), mtime: Number(mtime) });
      }
      i += 9;
    } else {
      throw new Error(`unexpected word ${JSON.stringify(words[i])} in rpm query output`);
    }
  }
  return out;
}

/** The records, or none when rpm cannot say (then no window, and no attribute check beyond the digest). */
export async function readRpmRecords(root: string, opts: RunOptions = {}): Promise<RpmRecords | undefined> {
  try {
    const r = await runRpm(root, ensureRpmDb(root), ['-qa', '--qf', FORMAT], opts);
    return r.code === 0 && !r.timedOut ? parseRpmRecords(r.stdout.toString('latin1')) : undefined;
  } catch {
    return undefined;
  }
}
