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

/** Baselines and reports may hold the text of configuration files: owner-only unless told otherwise. */
export const DEFAULT_OUTPUT_MODE = 0o600;

/** Temporary files being written, so a signal handler can remove them. */
const pending = new Set<string>();

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
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
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
    fd = fs.openSync(file, INPUT_FLAGS);
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

/** A file written as it is made: pieces in order, then commit (or abort, which leaves nothing behind). */
export interface OutputStream {
  /** Copies what it keeps; a promise when the reader is slow (a full pipe). */
  write(bytes: Uint8Array): void | Promise<void>;
  commit(): Promise<void>;
  abort(): void;
}

/**
 * writeAtomic as a stream: a temporary file beside the target, opened at the
 * first piece, fsynced and renamed over the target at commit. A failure or
 * an abort removes it; the target keeps its previous content.
 */
export function atomicStream(file: string, mode = DEFAULT_OUTPUT_MODE): OutputStream {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  const fail = (err: unknown): never => {
    cleanUp();
    throw new OutputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  };
  const cleanUp = () => {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already released
      }
    }
    fd = undefined;
    fs.rmSync(tmp, { force: true });
    pending.delete(tmp);
  };
  const open = (): number => {
    if (fd !== undefined) return fd;
    pending.add(tmp);
    try {
      fd = fs.openSync(tmp, 'wx', 0o600);
      fs.fchmodSync(fd, mode); // exactly the mode asked for, whatever the umask
    } catch (err) {
      fail(err);
    }
    return fd!;
  };
  return {
    write(bytes) {
      const out = open();
      try {
        let off = 0;
        while (off < bytes.length) off += fs.writeSync(out, bytes, off, bytes.length - off);
      } catch (err) {
        fail(err);
      }
    },
    async commit() {
      const out = open();
      try {
        fs.fsyncSync(out);
        // A close that fails (a late ENOSPC on NFS) has still released the fd: never close it twice.
        fd = undefined;
        fs.closeSync(out);
        fs.renameSync(tmp, file);
      } catch (err) {
        fail(err);
      }
      pending.delete(tmp);
      try {
        const dfd = fs.openSync(dir, 'r');
        fs.fsyncSync(dfd);
        fs.closeSync(dfd);
      } catch {
        // Some filesystems refuse fsync on a directory; the rename is still atomic.
      }
    },
    abort: cleanUp,
  };
}

/** Pieces written to an open descriptor (stdout, --output /dev/fd/N); `what` names it in errors. */
export function descriptorStream(fd: number, what: string): OutputStream {
  const failure = (err: unknown): Error => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return new OutputClosedError(`the reader of ${what} closed it`);
    return new OutputError(`cannot write ${what}: ${code ?? (err as Error).message}`);
  };
  return {
    write(bytes) {
      let off = 0;
      try {
        while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw failure(err);
        // A full pipe: the rest waits for the reader on a timer (writeAll), copied, as the writer reuses its buffer.
        return writeAll(fd, Buffer.from(bytes.subarray(off))).catch((e: unknown) => {
          throw failure(e);
        });
      }
    },
    commit: async () => undefined,
    abort: () => undefined,
  };
}

/** writeThrough as a stream: the FIFO or device opened (and checked) at the first piece. */
export function throughStream(file: string): OutputStream {
  let fd: number | undefined;
  let inner: OutputStream | undefined;
  const open = (): OutputStream => {
    if (inner) return inner;
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NOCTTY | O_NONBLOCK);
      const st = fs.fstatSync(fd);
      if (!st.isCharacterDevice() && !st.isFIFO()) throw new Error('replaced by another kind of file while driftscan ran');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
      throw new OutputError(`cannot write ${file}: ${code === 'ENXIO' ? 'ENXIO (nothing is reading it)' : code ?? (err as Error).message}`);
    }
    return (inner = descriptorStream(fd, file));
  };
  const close = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
  };
  return {
    write: (bytes) => open().write(bytes),
    async commit() {
      open();
      close();
    },
    abort: close,
  };
}
