/**
 * Where `-o` writes. Decided before the walk, so a mistake costs no walk, and
 * again just before writing, since the name may have changed meanwhile:
 *
 * - a new name or a regular file: replaced atomically, mode 0600 unless --mode;
 * - /dev/stdout, /dev/stderr, /dev/fd/1 and 2, /proc/self/fd/1 and 2: that descriptor;
 * - a character device or FIFO (/dev/null, /dev/tty): written into;
 * - a symlink, directory, block device or socket: refused (exit 16). A symlink could
 *   send root's write anywhere (a link planted in /tmp); name its target instead.
 * - one of the command's inputs, any key file, or a name inside --root: refused (exit 16).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_OUTPUT_MODE, defaultKeyDir, KEY_FILE, openNoAtime, OutputClosedError, OutputError, PUB_FILE, UsageError, writeAll, writeAtomic, writeThrough,
  atomicStream, descriptorStream, throughStream, type OutputStream,
} from '../index.js';

export type OutputTarget =
  | { kind: 'stdout' }
  | { kind: 'descriptor'; fd: number }
  | { kind: 'device'; file: string }
  | { kind: 'file'; file: string };

/**
 * Standard output and error by name. Other /dev/fd/N are not taken as
 * descriptors: N may be one of Node's own (its event loop's), not the caller's.
 * They are symlinks, so refused like any.
 */
const DESCRIPTOR_NAME = /^\/(?:dev\/(?:fd\/([12])|(stdout|stderr))|proc\/self\/fd\/([12]))$/;

/** The default key pair: never an output, whichever key the command was given. */
export function defaultKeyFiles(): Record<string, string> {
  const dir = defaultKeyDir();
  return { 'default private key': path.join(dir, KEY_FILE), 'default public key': path.join(dir, PUB_FILE) };
}

/** The absolute path with its directory's symlinks resolved: two spellings of one name compare equal. */
function canonical(file: string): string {
  const abs = path.resolve(file);
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

/** A PEM key (private or public), whatever its name: a report must never replace one. */
function isKeyFile(file: string): boolean {
  const head = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    // Reading the head of a file to refuse overwriting it must not change its atime either.
    fd = openNoAtime(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return /^-----BEGIN [A-Z0-9 ]*KEY-----/.test(head.subarray(0, n).toString('latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** What cannot be stat-ed (missing, in a directory we may not search) cannot be the output's inode either. */
function statOrNothing(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function refuseInputs(output: string, st: fs.Stats | undefined, inputs: Record<string, string | undefined>): void {
  const name = canonical(output);
  for (const [what, file] of Object.entries(inputs)) {
    if (file === undefined) continue;
    const other = statOrNothing(file);
    const same = canonical(file) === name || (st && other && st.dev === other.dev && st.ino === other.ino);
    if (same) throw new UsageError(`-o ${output} is the ${what}; refusing to overwrite it`);
  }
  if (st && isKeyFile(output)) throw new UsageError(`-o ${output} is a key file; refusing to overwrite it`);
}

/** A new file's directory must exist and take it: said before the walk, not after (exit 25). */
function checkDirectory(output: string): void {
  const dir = path.dirname(path.resolve(output));
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new OutputError(`cannot write ${output}: ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Classifies -o, refusing what must not be written (UsageError, exit 16). */
export function outputTarget(output: string, inputs: Record<string, string | undefined>): OutputTarget {
  const m = DESCRIPTOR_NAME.exec(path.posix.normalize(output));
  if (m) {
    const fd = m[2] ? (m[2] === 'stdout' ? 1 : 2) : Number(m[1] ?? m[3]);
    return fd === 1 ? { kind: 'stdout' } : { kind: 'descriptor', fd };
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(output);
  } catch {
    refuseInputs(output, undefined, inputs); // a key not created yet is still a key
    checkDirectory(output);
    return { kind: 'file', file: output };
  }
  if (st.isSymbolicLink()) {
    throw new UsageError(`-o ${output} is a symbolic link; refusing to write through it (name the file it points to)`);
  }
  if (st.isDirectory()) throw new UsageError(`-o ${output} is a directory; name a file`);
  if (st.isBlockDevice()) throw new UsageError(`-o ${output} is a block device; refusing to write onto a disk`);
  if (st.isSocket()) throw new UsageError(`-o ${output} is a socket; name a file`);
  if (!st.isFile()) return { kind: 'device', file: output };
  refuseInputs(output, st, inputs);
  return { kind: 'file', file: output };
}

function writeFailure(what: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EPIPE') return new OutputClosedError(`the reader of ${what} closed it`);
  return new OutputError(`cannot write ${what}: ${code ?? (err as Error).message}`);
}

/**
 * A mounted disk under --root is evidence: -o must not write into it (nor,
 * through a device node of the image, into the host's device). On the live
 * host (root /) the operator chooses where baselines live.
 */
export function refuseInsideRoot(output: string | undefined, root: string): void {
  if (output === undefined || root === '/' || DESCRIPTOR_NAME.test(path.posix.normalize(output))) return;
  const name = canonical(output);
  if (name === root || name.startsWith(`${root}/`)) {
    throw new UsageError(`-o ${output} is inside --root ${root}; refusing to change the tree under examination`);
  }
}

/** Writes data where -o said, checking the name again first. */
export async function writeOutput(output: string, inputs: Record<string, string | undefined>, data: Buffer, mode: number): Promise<void> {
  const target = outputTarget(output, inputs);
  switch (target.kind) {
    case 'stdout':
      // Waits for the write: "wrote" must not be said of a baseline the reader never got.
      await new Promise<void>((resolve, reject) => {
        process.stdout.write(data, (err) => (err ? reject(writeFailure('standard output', err)) : resolve()));
      });
      return;
    case 'descriptor':
      try {
        await writeAll(target.fd, data);
      } catch (err) {
        throw writeFailure(output, err);
      }
      return;
    case 'device':
      await writeThrough(target.file, data);
      return;
    case 'file':
      writeAtomic(target.file, data, mode);
  }
}

/**
 * Where -o says, as a stream: the name is checked again when the first piece
 * is written (after the walk's first megabyte, or at its end), as writeOutput does.
 */
export function outputStream(output: string, inputs: Record<string, string | undefined>, mode: number): OutputStream {
  let inner: OutputStream | undefined;
  const open = (): OutputStream => {
    if (inner) return inner;
    const target = outputTarget(output, inputs);
    switch (target.kind) {
      case 'stdout':
        return (inner = descriptorStream(1, 'standard output'));
      case 'descriptor':
        return (inner = descriptorStream(target.fd, output));
      case 'device':
        return (inner = throughStream(target.file));
      case 'file':
        return (inner = atomicStream(target.file, mode));
    }
  };
  return { write: (bytes) => open().write(bytes), commit: () => open().commit(), abort: () => inner?.abort() };
}

/** --mode: the permission bits of a baseline or report written to a file. */
export function parseMode(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OUTPUT_MODE;
  if (!/^0?[0-7]{3}$/.test(value)) throw new UsageError(`--mode takes octal permission bits such as 0600 or 0640, not '${value}'`);
  return parseInt(value, 8);
}
