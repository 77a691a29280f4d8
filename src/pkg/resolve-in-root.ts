/**
 * Resolves a root-relative path inside the scanned root with chroot
 * semantics: an absolute symlink target starts again at the root, and `..`
 * never climbs above it. The kernel would resolve ROOT/path against the
 * scanning host's own `/` instead (a packaged `/usr/bin/x -> /proc/kmsg`
 * makes dpkg read the host's kernel log), so every package path and database
 * location is resolved here, by lstat and readlink, before anything reads it.
 */
import type { BytePath, FileKind } from '../types.js';
import fs from 'node:fs';
import { realFs } from '../walk/fsport.js';
import { kindOfMode } from '../native-stat.js';
import { fsPathScratch, rootBytes } from '../paths.js';

/** Linux's limit on symlinks followed in one resolution. */
const MAX_LINKS = 40;

export type Resolved =
  | {
      ok: true;
      /** The in-root path with no symlink left in it. */
      path: BytePath;
      kind: FileKind;
      /**
       * True when the kernel, given ROOT/path, would have gone elsewhere: an
       * absolute link target or a `..` at the root was met on the way.
       */
      divergent: boolean;
    }
  | { ok: false; code: string; divergent: boolean };

/** The scanning host's pseudo filesystems: a path resolving into them is never read. */
const PSEUDO = /^\/(proc|sys|dev)(\/|$)/;

export function inPseudoFs(path: BytePath): boolean {
  return PSEUDO.test(path);
}

function parts(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** A directory's resolution; `plain`: reached with no link at its last component, so lstat of it says the same. */
interface DirEntry {
  r: Resolved;
  plain: boolean;
}

export class InRootResolver {
  /**
   * Resolutions of directories, by the path as given: package paths share few
   * parents, and a directory listed by many packages (/usr/share/doc) is
   * lstat-ed once.
   */
  private readonly dirs = new Map<BytePath, DirEntry>();
  private readonly rootPath: BytePath;

  constructor(root: string) {
    this.rootPath = rootBytes(root);
  }

  /** `followLast` false: a symlink at the last component is returned as the symlink (as lstat would). */
  resolve(path: BytePath, followLast = true): Resolved {
    const cut = path.lastIndexOf('/');
    // A name that is empty, `.` or `..` is resolved from the top; the others through their directory.
    if (cut < 0 || cut === path.length - 1 || path.endsWith('/.') || path.endsWith('/..')) return this.walk('', false, parts(path), followLast);
    const seen = this.dirs.get(path);
    if (seen !== undefined && seen.plain) return seen.r;
    const name = path.slice(cut + 1);
    const parent = this.directory(path.slice(0, cut));
    if (!parent.ok) return parent;
    const at = parent.path === '/' ? '' : parent.path;
    const got = this.walk(at, parent.divergent, [name], followLast);
    if (seen === undefined && got.ok && got.kind === 'dir' && got.path === `${at}/${name}`) this.dirs.set(path, { r: got, plain: true });
    return got;
  }

  /** The directory a path leads to, every link followed; resolved once per path; a non-directory is ENOTDIR. */
  directory(path: BytePath): Resolved {
    const seen = this.dirs.get(path);
    if (seen !== undefined) return seen.r;
    if (path === '') {
      const r: Resolved = { ok: true, path: '/', kind: 'dir', divergent: false };
      this.dirs.set(path, { r, plain: false });
      return r;
    }
    let r = this.resolve(path, true);
    const entry = this.dirs.get(path);
    if (entry !== undefined) return entry.r; // resolve found it a plain directory and kept it
    if (r.ok && r.kind !== 'dir') r = { ok: false, code: 'ENOTDIR', divergent: r.divergent };
    this.dirs.set(path, { r, plain: false });
    return r;
  }

  /** The kind of what is at an in-root path with no symlink left in it, or lstat's errno code. */
  private kindAt(here: string): FileKind | { code: string } {
    const full = fsPathScratch(this.rootPath, here);
    try {
      // Node's lstat, not the walker's: only the kind is wanted, not the extended attributes' size.
      const st = fs.lstatSync(full, { throwIfNoEntry: false });
      return st === undefined ? { code: 'ENOENT' } : kindOfMode(st.mode);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      if (code !== 'ERR_INVALID_ARG_VALUE') return { code };
    }
    // A NUL byte in the path (a forged .list): Node refuses it, the kernel (and dpkg) see the path up to it.
    try {
      return realFs.lstat(full).kind;
    } catch (e) {
      return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  }

  /** Component by component from `start` (a resolved path, '' for the root). */
  private walk(start: string, divergent: boolean, todo: string[], followLast: boolean): Resolved {
    let done = start; // "" or "/a/b": resolved so far, no symlink in it
    let links = 0;
    let kind: FileKind = 'dir';
    while (todo.length > 0) {
      const c = todo.shift()!;
      if (c === '..') {
        if (done === '') divergent = true; // the kernel would leave the root here
        else done = done.slice(0, done.lastIndexOf('/'));
        kind = 'dir';
        continue;
      }
      const here = `${done}/${c}`;
      const st = this.kindAt(here);
      if (typeof st !== 'string') return { ok: false, code: st.code, divergent };
      if (st === 'symlink' && (todo.length > 0 || followLast)) {
        if (++links > MAX_LINKS) return { ok: false, code: 'ELOOP', divergent };
        let target: string;
        try {
          target = realFs.readlink(fsPathScratch(this.rootPath, here)).toString('latin1');
        } catch (e) {
          // Swapped since the lstat, or a NUL in the path: a failure to resolve, never an exception.
          return { ok: false, code: (e as NodeJS.ErrnoException).code ?? 'EIO', divergent };
        }
        if (target.startsWith('/')) {
          done = '';
          divergent = true;
        }
        todo.unshift(...parts(target));
        kind = 'dir';
        continue;
      }
      if (todo.length > 0 && st !== 'dir') return { ok: false, code: 'ENOTDIR', divergent };
      done = here;
      kind = st;
    }
    return { ok: true, path: done || '/', kind, divergent };
  }
}

/**
 * A database location inside the root, resolved: a directory (or file) that
 * is really there, not in a pseudo filesystem. Undefined when absent; throws
 * `why` for anything else (a loop, a link into /proc), never the host's copy.
 */
export function locateInRoot(root: string, path: BytePath, want: 'dir' | 'file'): BytePath | undefined {
  const r = new InRootResolver(root).resolve(path);
  if (!r.ok) {
    if (r.code === 'ENOENT') return undefined;
    throw new Error(`${path} in the root cannot be resolved inside it (${r.code})`);
  }
  if (inPseudoFs(r.path)) throw new Error(`${path} in the root leads to ${r.path}, a pseudo filesystem: not read`);
  if (r.kind !== want) return undefined;
  return r.path;
}

// Where a packaged path leads through its directories (md5-record.ts takes it from here).
export { throughDirectories } from './through-directories.js';
