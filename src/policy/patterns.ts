/**
 * The paths and globs a rules line names, checked and normalised before they
 * are compiled: a pattern that can never match a walked path is an error
 * naming its line, never a rule silently ignored.
 *
 * Walked paths are absolute, start with one `/`, have no `//`, `.` or `..`
 * component and no trailing slash, so a pattern is brought to the same shape:
 * a trailing slash or a doubled one is dropped (`/srv/app/doc/` means the
 * directory), and what cannot be brought there is refused.
 */
import { PolicyError } from '../errors.js';
import { isGlob } from './glob.js';

function fail(where: string, lineNo: number, message: string): never {
  throw new PolicyError(`${where}:${lineNo}: ${message}`);
}

/** `//` collapsed, a trailing `/` dropped, `.` and `..` components refused. */
function normalise(pattern: string, directive: string, lineNo: number, where: string): string {
  let p = pattern.replace(/\/{2,}/g, '/');
  if (p.length > 1) p = p.replace(/\/+$/, '');
  if (p.split('/').some((part) => part === '.' || part === '..')) {
    fail(where, lineNo, `${directive} ${pattern} can never match: walked paths have no '.' or '..' component`);
  }
  return p;
}

/**
 * A glob of exclude, config, growing or attrs. It must start with `/`, or with
 * `**` (which may match a leading slash); `*.log` cannot match any path (they
 * all start with `/`), so it is refused with the glob that was probably meant.
 */
export function checkGlob(pattern: string, directive: string, lineNo: number, where: string, stored = false): string {
  // A baseline's stored policy keeps the meaning it was taken with (see parseStoredPolicy).
  if (stored) return pattern;
  if (!pattern.startsWith('/') && !pattern.startsWith('**')) {
    const hint = pattern.startsWith('*') ? ` (did you mean /**/${pattern}?)` : '';
    fail(where, lineNo, `${directive} ${pattern} can never match: a pattern must be an absolute path or start with **${hint}`);
  }
  return normalise(pattern, directive, lineNo, where);
}

/**
 * A start path of include: absolute and literal. Globs are refused rather
 * than expanded: an expansion made when the baseline is taken freezes the set
 * of directories (one created later is never walked, silently), and one made
 * at every scan lets the suspect tree choose what is walked. Walk the literal
 * parent and narrow it with exclude and attrs globs instead.
 */
export function checkStart(path: string, directive: string, lineNo: number, where: string, stored = false): string {
  if (!path.startsWith('/')) fail(where, lineNo, `${directive} needs an absolute path: ${path}`);
  if (stored) return path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (isGlob(path) || path.includes('\\')) {
    fail(where, lineNo, `${directive} takes a literal path, not a glob: ${path} (include its parent and narrow it with exclude)`);
  }
  return normalise(path, directive, lineNo, where);
}
