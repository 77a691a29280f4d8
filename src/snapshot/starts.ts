/**
 * Include paths that walked nothing. A typo in an include, or a start path
 * that is not on this host, would otherwise give a baseline that scans clean
 * forever: the baseline records them and every scan says they were not looked at.
 */
import type { BaselineHeader, BytePath } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { displayPath } from '../paths.js';

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
