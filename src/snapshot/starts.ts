/**
 * Include paths that walked nothing. A typo in an include, or a start path
 * that is not on this host, would otherwise give a baseline that scans clean
 * forever: the baseline records them and every scan says they were not looked at.
 */
import type { BaselineHeader, BytePath } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { displayPath, rootBytes } from '../paths.js';
import { lstatInside } from '../walk/walker.js';
import { realFs } from '../walk/fsport.js';

/** The walk's start paths that gave no entry, less the include-if-present ones. */
export function startsNotWalked(policy: Policy, walked: ReadonlyMap<BytePath, string>): Map<BytePath, string> {
  const optional = new Set(policy.starts.filter((s) => s.optional).map((s) => s.path));
  return new Map([...walked].filter(([path]) => !optional.has(path)));
}

/** The reason as words: ENOENT is "does not exist". */
export function describeReason(reason: string): string {
  return reason === 'ENOENT' ? 'does not exist' : `cannot be reached (${displayPath(reason)})`;
}

/** The report's diagnostic lines for the include paths the baseline could not walk. */
export function notWalkedDiagnostics(header: BaselineHeader): string[] {
  return (header.notWalked ?? []).map(([path, reason]) =>
    `not looked at: include ${displayPath(path)} ${describeReason(reason)} when the baseline was taken (its entries, if any now, are added)`);
}

/** Include paths (not include-if-present) that are not there under root now, with why: `policy --check` warns of them. */
export function startsMissing(policy: Policy, root: string): Array<{ line: string; path: BytePath; reason: string }> {
  const missing: Array<{ line: string; path: BytePath; reason: string }> = [];
  for (const start of policy.starts) {
    if (start.optional) continue;
    const st = lstatInside(realFs, rootBytes(root), start.path);
    if (typeof st === 'string') missing.push({ line: start.line, path: start.path, reason: st });
  }
  return missing;
}
