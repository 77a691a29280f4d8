/**
 * Which findings of a report `--accept` takes: `explained` (what triage
 * explained by a package operation: the patch-day path), `all`, or path globs.
 * A rule that accepts nothing is refused: a mistyped glob must not pass as done.
 */
import type { BytePath } from '../types.js';
import { globToRegExp } from '../policy/glob.js';
import { UpdateRefusedError, UsageError } from '../errors.js';
import type { ReportedFinding } from './report-input.js';

export interface Accepted {
  /** Accepted path -> its state as the report recorded it (undefined: missing). */
  paths: Map<BytePath, string | undefined>;
  /** Each rule and the number of paths it accepted. */
  counts: Array<[string, number]>;
}

export function selectAccepted(findings: readonly ReportedFinding[], rules: readonly string[]): Accepted {
  // A path not looked at (untested) is never accepted; a preexisting package finding is no change.
  const candidates = findings.filter((f) => f.status !== 'untested' && f.triage !== 'preexisting');
  const paths = new Map<BytePath, string | undefined>();
  const counts: Array<[string, number]> = [];
  const empty: string[] = [];
  for (const rule of rules) {
    const test = matcher(rule);
    const hit = new Set(candidates.filter(test).map((f) => f.path));
    for (const path of hit) paths.set(path, stateOf(findings, path));
    counts.push([rule, hit.size]);
    if (hit.size === 0) empty.push(`--accept ${rule} accepts nothing in this report`);
  }
  if (empty.length) throw new UpdateRefusedError(`${empty.length} --accept rule(s) accept nothing; nothing written`, empty);
  return { paths, counts };
}

function matcher(rule: string): (f: ReportedFinding) => boolean {
  if (rule === 'explained') return (f) => f.triage === 'explained';
  if (rule === 'all') return () => true;
  if (!rule.startsWith('/')) throw new UsageError(`--accept takes explained, all or an absolute path glob, not '${rule}'`);
  let re: RegExp;
  try {
    re = globToRegExp(Buffer.from(rule, 'utf8').toString('latin1'));
  } catch (err) {
    throw new UsageError(`--accept ${rule}: ${(err as Error).message}`);
  }
  return (f) => re.test(f.path);
}

/** The state the report recorded for a path: every finding on it carries the same one. */
function stateOf(findings: readonly ReportedFinding[], path: BytePath): string | undefined {
  return findings.find((f) => f.path === path && f.state !== undefined)?.state;
}
