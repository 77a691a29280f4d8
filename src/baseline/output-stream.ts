/**
 * Writing a file as it is made (a baseline, entry by entry): the same
 * targets and the same care as store.ts's writeAtomic and writeThrough, a
 * piece at a time. Nothing is opened before the first piece.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { OutputClosedError, OutputError } from '../errors.js';
import { DEFAULT_OUTPUT_MODE, pending, syncDirectory, writeAll } from './store.js';

const O_NONBLOCK = fs.constants.O_NONBLOCK;

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
      syncDirectory(dir);
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
