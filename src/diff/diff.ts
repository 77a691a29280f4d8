/**
 * `diff`: two verified baselines compared without touching any filesystem.
 * The old one is the baseline, the new one's entries stand where a scan puts
 * its walk, and the package changes between the two package sets are
 * triaged as a scan would (content judged by the digests recorded only).
 */
import type { KeyObject } from 'node:crypto';
import type { Baseline, BytePath } from '../types.js';
import { readBaselineFile } from '../baseline/store.js';
import { openSealed } from '../baseline/sealed.js';
import { parseStoredPolicy } from '../policy/policy.js';
import { parseIgnoreDiff } from '../policy/ignore-diff.js';
import { assess, type Assessment } from '../scan/assess.js';
import type { FailOn } from '../report/summary.js';

export interface DiffOptions {
  oldFile: string;
  newFile: string;
  publicKey: KeyObject;
  /** Rules text with `ignore-diff NAME` lines, and its name for errors. */
  rules?: { text: string; name: string };
  failOn?: FailOn;
}

export interface DiffResult extends Assessment {
  old: Baseline;
  new: Baseline;
}

export function diff(opts: DiffOptions): DiffResult {
  const older = openSealed(readBaselineFile(opts.oldFile), opts.publicKey);
  const newer = openSealed(readBaselineFile(opts.newFile), opts.publicKey);
  const ignore = opts.rules ? parseIgnoreDiff(opts.rules.text, opts.rules.name) : undefined;
  // Directories the new baseline could not list: nothing below them is called missing.
  const unlisted = new Map<BytePath, string>(newer.header.unlisted.map((p) => [p, 'unlisted when the new baseline was taken']));
  const after = newer.packages;
  const assessed = assess({
    baseline: { header: older.header, packages: older.packages },
    forEachBefore: (visit) => older.entries.forEach(visit),
    snapshot: { entries: newer.entries, unlisted },
    // No repository indexes offline: a package change is trusted only when the rules say so (CI images
    // built from your own repositories), else triage says its origin was not checked.
    policy: parseStoredPolicy(older.header.policy + (ignore?.trustLocal ? '\ntrust-local-packages\n' : '')),
    root: older.header.root,
    packageRun: after ? { manager: after.manager, after, findings: [], diagnostics: [], incomplete: false, history: {} } : undefined,
    failOn: opts.failOn,
    // No readDigest: there is no tree, only the digests the baselines recorded. And no binding: a
    // diff's report is of no tree, so `update` must not take it for a scan's.
    mask: ignore ? (f) => ignore.ruleFor(f.path) : undefined,
  });
  return { ...assessed, old: older, new: newer };
}
