/**
 * The filesystem as the walker sees it. Tests swap in a port that fails with
 * EACCES or EIO where root would otherwise read everything.
 */
import fs from 'node:fs';
import { nativeFs } from '../native.js';
import { openNoAtime, READ_FLAGS } from '../quiet-open.js';
import { errnoName, LSTAT_FIELDS, statFromFields, type StatRecord } from '../native-stat.js';

const DIR_FIELDS = LSTAT_FIELDS + 1;

export interface FsPort {
  /** Throws an error with an errno `code`, as fs does. */
  lstat(path: Buffer): StatRecord;
  readdir(path: Buffer): Buffer[];
  readlink(path: Buffer): Buffer;
  /** Extended attributes, or an errno code string when they cannot be listed. */
  lxattrs(path: Buffer): Array<[string, Buffer]> | string;
  /**
   * Reads at most `limit` bytes of a regular file, following no symlink at its
   * last component nor at its directory's.
   */
  readSmallFile(path: Buffer, limit: number): Buffer;
  /**
   * Reads the regular file (dev, ino) at path in chunks of chunkBytes, from one
   * reused buffer, without following a link or changing its atime. Throws an
   * error with an errno `code` ('SWAPPED' when path is another file now).
   */
  readChunks(path: Buffer, dev: number, ino: number, chunkBytes: number, visit: (buf: Buffer, length: number, offset: number) => void): void;
  /**
   * The children of the directory (dev, ino) at path, each lstat-ed relative to
   * the opened directory, as paths without the root's first `skip` bytes;
   * 'SWAPPED' when path is no longer that directory, else an errno code.
   * Optional: without it the walker lists with readdir and lstat.
   */
  readDirectory?(path: Buffer, dev: number, ino: number, skip: number): DirectoryListing | string;
}

export interface DirectoryListing {
  /** The children's root-relative paths. */
  paths: string[];
  /** Per child: its lstat, or the errno code of a failed lstat. */
  stats: Array<StatRecord | string>;
}

const fields = new Float64Array(LSTAT_FIELDS);

function errnoError(n: number, syscall: string): NodeJS.ErrnoException {
  const code = errnoName(n);
  return Object.assign(new Error(`${syscall}: ${code}`), { code, errno: -n, syscall });
}

export const realFs: FsPort = {
  lstat(path) {
    const err = nativeFs().lstatInto(path, fields);
    if (err !== 0) throw errnoError(err, 'lstat');
    return statFromFields(fields);
  },
  readdir: (path) => fs.readdirSync(path, { encoding: 'buffer' }),
  readDirectory(path, dev, ino, skip) {
    const got = nativeFs().readDirectory(path, dev, ino, skip);
    if (got === -1) return 'SWAPPED';
    if (typeof got === 'number') return errnoName(got);
    const [paths, fields, xattrs] = got;
    const stats = paths.map((_, i): StatRecord | string => {
      const err = fields[i * DIR_FIELDS + LSTAT_FIELDS]!;
      if (err) return errnoName(err);
      const st = statFromFields(fields, i * DIR_FIELDS);
      const x = xattrs[i];
      if (x !== undefined) st.xattrs = typeof x === 'number' ? errnoName(x) : x;
      return st;
    });
    return { paths, stats };
  },
  readlink: (path) => fs.readlinkSync(path, { encoding: 'buffer' }),
  lxattrs(path) {
    const got = nativeFs().lxattrs(path);
    return typeof got === 'number' ? errnoName(got) : got;
  },
  readChunks,
  readSmallFile(path, limit) {
    const fd = openBeneath(path);
    try {
      if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      const buf = Buffer.allocUnsafe(limit);
      let got = 0;
      for (let n = 1; n > 0 && got < limit; got += n) n = fs.readSync(fd, buf, got, limit - got, null);
      return buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  },
};

const HAVE_PROC_FD = fs.existsSync('/proc/self/fd');

/**
 * Opens DIR/NAME refusing a symlink at either: the directory is opened with
 * O_NOFOLLOW and the name looked up in that very directory through its
 * /proc/self/fd entry (openat, which Node lacks). A root's `etc -> /etc` must
 * not hand over the scanning host's /etc/passwd.
 */
function openBeneath(path: Buffer): number {
  const file = READ_FLAGS;
  const slash = path.lastIndexOf(0x2f);
  if (!HAVE_PROC_FD || slash <= 0) return openNoAtime(path, file);
  const dir = openNoAtime(path.subarray(0, slash), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  try {
    return openNoAtime(Buffer.concat([Buffer.from(`/proc/self/fd/${dir}`), path.subarray(slash)]), file);
  } finally {
    fs.closeSync(dir);
  }
}

function readChunks(path: Buffer, dev: number, ino: number, chunkBytes: number, visit: (buf: Buffer, length: number, offset: number) => void): void {
  const fd = openNoAtime(path);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.dev !== dev || st.ino !== ino) throw Object.assign(new Error('not the file walked'), { code: 'SWAPPED' });
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (let offset = 0; ;) {
      // Fill the whole chunk, so records never straddle two calls.
      let length = 0;
      while (length < chunkBytes) {
        const n = fs.readSync(fd, buf, length, chunkBytes - length, offset + length);
        if (n === 0) break;
        length += n;
      }
      if (length === 0) return;
      visit(buf, length, offset);
      if (length < chunkBytes) return;
      offset += length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The errno code of a thrown fs error, or 'EIO' when it has none. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
