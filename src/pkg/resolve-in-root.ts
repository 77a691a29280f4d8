/**
 * Resolves a root-relative path inside the scanned root with chroot
 * semantics: an absolute symlink target starts again at the root, and `..`
 * never climbs above it. The kernel would resolve ROOT/path against the
 * scanning host's own `/` instead (a packaged `/usr/bin/x -> /proc/kmsg`
 * makes dpkg read the host's kernel log), so every package path and database
 * location is resolved here, by lstat and readlink, before anything reads it.
 */
import type { BytePath, FileKind } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { inRoot } from '../paths.js';

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

export class InRootResolver {
  /** Resolutions of directories, by the path as given: package paths share few parents. */
  private readonly dirs = new Map<BytePath, Resolved>();

  constructor(private readonly root: string) {}

  /** `followLast` false: a symlink at the last component is returned as the symlink (as lstat would). */
  resolve(path: BytePath, followLast = true): Resolved {
    const cut = path.lastIndexOf('/');
    const name = path.slice(cut + 1);
    if (cut < 0 || name === '' || name === '.' || name === '..') return this.walk('', false, parts(path), followLast);
    const parent = this.dir(path.slice(0, cut));
    if (!parent.ok) return parent;
    return this.walk(parent.path === '/' ? '' : parent.path, parent.divergent, [name], followLast);
  }

  private dir(path: BytePath): Resolved {
    let got = this.dirs.get(path);
    if (got === undefined) {
      got = path === '' ? { ok: true, path: '/', kind: 'dir', divergent: false } : this.resolve(path, true);
      if (got.ok && got.kind !== 'dir') got = { ok: false, code: 'ENOTDIR', divergent: got.divergent };
      this.dirs.set(path, got);
    }
    return got;
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
      let st;
      try {
        st = realFs.lstat(inRoot(this.root, here));
      } catch (e) {
        return { ok: false, code: (e as NodeJS.ErrnoException).code ?? 'EIO', divergent };
      }
      if (st.kind === 'symlink' && (todo.length > 0 || followLast)) {
        if (++links > MAX_LINKS) return { ok: false, code: 'ELOOP', divergent };
        const target = realFs.readlink(inRoot(this.root, here)).toString('latin1');
        if (target.startsWith('/')) {
          done = '';
          divergent = true;
        }
        todo.unshift(...parts(target));
        kind = 'dir';
        continue;
      }
      if (todo.length > 0 && st.kind !== 'dir') return { ok: false, code: 'ENOTDIR', divergent };
      done = here;
      kind = st.kind;
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

/**
 * The in-root path a packaged path leads to through its directories (merged
 * /usr: /bin/ls is /usr/bin/ls), each directory resolved inside the root once;
 * the last component is left as it is, a link or not. Undefined when a
 * directory does not resolve to one, or the name is empty, `.` or `..`.
 */
export function throughDirectories(resolver: InRootResolver): (path: BytePath) => BytePath | undefined {
  const dirs = new Map<BytePath, BytePath | undefined>();
  return (path) => {
    const cut = path.lastIndexOf('/');
    const name = path.slice(cut + 1);
    if (cut < 0 || name === '' || name === '.' || name === '..') return undefined;
    const dir = path.slice(0, cut);
    if (!dirs.has(dir)) {
      const r = dir === '' ? undefined : resolver.resolve(dir, true);
      dirs.set(dir, r === undefined ? '' : r.ok && r.kind === 'dir' ? (r.path === '/' ? '' : r.path) : undefined);
    }
    const at = dirs.get(dir);
    return at === undefined ? undefined : `${at}/${name}`;
  };
}
