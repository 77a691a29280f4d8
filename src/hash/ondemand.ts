/**
 * A digest of one file, computed when asked: triage needs a few files'
 * digests in the package database's algorithm (dpkg records md5), which the
 * walk does not compute for every file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | (fs.constants.O_NOATIME ?? 0);

export function digestFile(path: Buffer, algo: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, FLAGS);
  } catch {
    try {
      fd = fs.openSync(path, FLAGS & ~(fs.constants.O_NOATIME ?? 0));
    } catch {
      return undefined;
    }
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const h = createHash(algo);
    const buf = Buffer.allocUnsafe(1 << 20);
    let offset = 0;
    for (let got = fs.readSync(fd, buf, 0, buf.length, 0); got > 0; got = fs.readSync(fd, buf, 0, buf.length, offset)) {
      h.update(buf.subarray(0, got));
      offset += got;
    }
    return h.digest('hex');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
