/**
 * Include paths that walked nothing. A typo in an include, or a start path
 * that is not on this host, would otherwise give a baseline that scans clean
 * forever: the baseline records them and every scan says they were not looked at.
 */
import type { BaselineHeader, BytePath, Entry } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { displayPath } from '../paths.js';

function hasEntry(entries: readonly Entry[], path: BytePath): boolean {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = entries[mid]!.path;
    if (p === path) return true;
    if (p < path) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Every `include` (not `include-if-present`) with no entry of its own, and why:
 * the walk's reason for a start path, else ENOENT (a nested include its parent's
 * walk did not meet). `entries` must be sorted by path bytes.
 */
export function startsNotWalked(policy: Policy, entries: readonly Entry[], reasons: ReadonlyMap<BytePath, string>): Map<BytePath, string> {
  const out = new Map<BytePath, string>();
  for (const start of policy.starts) {
    if (start.optional || out.has(start.path) || hasEntry(entries, start.path)) continue;
    out.set(start.path, reasons.get(start.path) ?? 'ENOENT');
  }
  return out;
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
