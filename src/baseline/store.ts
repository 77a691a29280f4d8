/**
 * Writing baselines and reports. A regular file (or a new one) is replaced
 * atomically: write a temporary file beside the target, fsync, rename over it,
 * fsync the directory. A crash or a full disk leaves the previous file and
 * never a partial one under the final name. Anything else that already exists
 * under the name is written into, never renamed over, unlinked or truncated
 * (writeThrough): `-o /dev/null` as root must leave the device a device.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaselineReadError, OutputClosedError, OutputError } from '../errors.js';
import { INPUT_FLAGS, readInput } from '../read-input.js';
import { openNoAtime } from '../quiet-open.js';

/** Baselines and reports may hold the text of configuration files: owner-only unless told otherwise. */
export const DEFAULT_OUTPUT_MODE = 0o600;

/** Temporary files being written, so a signal handler can remove them (output-stream.ts adds its own). */
export const pending = new Set<string>();

/** Replaces (or creates) the regular file `file` with data, with exactly `mode` (the umask does not apply). */
export function writeAtomic(file: string, data: Buffer, mode = DEFAULT_OUTPUT_MODE): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  pending.add(tmp);
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    fs.fchmodSync(fd, mode); // exactly the mode asked for, whatever the umask
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
  syncDirectory(dir);
}

/** Makes a rename into `dir` durable. Some filesystems refuse fsync on a directory; the rename is still atomic. */
export function syncDirectory(dir: string): void {
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Not durable, still atomic: nothing to tell.
  }
}

const O_NONBLOCK = fs.constants.O_NONBLOCK;

/**
 * Writes all of data to fd. A non-blocking descriptor's EAGAIN (a full pipe)
 * waits for the reader on a timer, not in a loop: a stalled reader must not
 * keep SIGINT's handler from ever running.
 */
export async function writeAll(fd: number, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    try {
      off += fs.writeSync(fd, data, off, data.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      await sleep(5);
    }
  }
}

/**
 * Writes data into an existing character device or FIFO by name.
 * Opened without blocking (a FIFO with no reader is ENXIO at once, instead of
 * a hang that not even SIGINT ends), without following a symlink, and checked
 * after opening: if a regular file took the name meanwhile, nothing is written.
 */
export async function writeThrough(file: string, data: Buffer): Promise<void> {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NOCTTY | O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isCharacterDevice() && !st.isFIFO()) {
      throw Object.assign(new Error('replaced by another kind of file while driftscan ran'), { code: undefined });
    }
    await writeAll(fd, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') throw new OutputClosedError(`the reader of ${file} closed it`);
    const why = code === 'ENXIO' ? 'ENXIO (nothing is reading it)' : code ?? (err as Error).message;
    throw new OutputError(`cannot write ${file}: ${why}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
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

/**
 * The whole baseline file. A regular file or a pipe (`verify <(...)`), read
 * to its end; a device never ends (`scan /dev/zero` would fill memory) and is refused.
 */
export function readBaselineFile(file: string): Buffer {
  let fd: number | undefined;
  try {
    // O_NOATIME: the file may lie inside the scanned root (evidence).
    fd = openNoAtime(file, INPUT_FLAGS);
    const st = fs.fstatSync(fd);
    if (!st.isFile() && !st.isFIFO()) throw new BaselineReadError(`cannot read baseline ${file}: not a regular file`);
    return st.isFIFO() ? readInput(fd) : fs.readFileSync(fd);
  } catch (err) {
    if (err instanceof BaselineReadError) throw err;
    throw new BaselineReadError(`cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

