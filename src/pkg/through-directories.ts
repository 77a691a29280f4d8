/**
 * The in-root path a packaged path leads to through its directories (merged
 * /usr: /bin/ls is /usr/bin/ls), each directory resolved inside the root once
 * (InRootResolver); the last component is left as it is, a link or not.
 */
import type { BytePath } from '../types.js';
import type { InRootResolver, Resolved } from './resolve-in-root.js';

/**
 * The resolution of the directory a path is in (its cached entry); undefined when the name is empty, `.` or `..`.
 * `dir`: the path up to its last '/', when the caller has it already (a string looked up before costs no hashing).
 */
export function parentDirectory(resolver: InRootResolver, path: BytePath, dir?: BytePath): Resolved | undefined {
  const cut = path.lastIndexOf('/');
  if (cut < 0 || cut === path.length - 1 || path.endsWith('/.') || path.endsWith('/..')) return undefined;
  return resolver.directory(dir ?? path.slice(0, cut));
}

/** The path through its directory's resolution: the very string given when the directory is itself. */
export function pathThrough(dir: Resolved & { ok: true }, path: BytePath): BytePath {
  const cut = path.lastIndexOf('/');
  const at = dir.path === '/' ? '' : dir.path;
  // Kept as given, a path's hash, once computed by a lookup, is not computed again.
  return at.length === cut && path.startsWith(at) ? path : at + path.slice(cut);
}

/** Undefined when a directory does not resolve to one, or the name is empty, `.` or `..`. */
export function throughDirectories(resolver: InRootResolver): (path: BytePath, dir?: BytePath) => BytePath | undefined {
  return (path, at) => {
    const dir = parentDirectory(resolver, path, at);
    return dir?.ok ? pathThrough(dir, path) : undefined;
  };
}
