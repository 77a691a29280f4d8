/**
 * Atomic file replacement: write a temporary file beside the target, fsync,
 * rename over it, fsync the directory. A crash or a full disk leaves the
 * previous file and never a partial one under the final name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BaselineReadError, OutputError } from '../errors.js';

/** Temporary files being written, so a signal handler can remove them. */
const pending = new Set<string>();

export function writeAtomic(file: string, data: Buffer): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  pending.add(tmp);
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
    // A close that fails (a late ENOSPC on NFS) has still released the fd: never close it twice.
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    pending.delete(tmp);
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

/**
 * On SIGINT or SIGTERM, remove any temporary file and exit 128+signal. Node's
 * default action would kill the process between open and rename and leave a
 * partial `.NAME.tmp-*` beside the output. (The write itself is synchronous, so
 * a handler runs before it starts or after the rename; the set is for safety.)
 */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      for (const tmp of pending) fs.rmSync(tmp, { force: true });
      process.exit(code);
    });
  }
}

export function readBaselineFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new BaselineReadError(`cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
