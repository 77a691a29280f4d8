/**
 * driftscan's own `dpkg --verify`: the checks dpkg would make (dpkg-verify-plan.ts),
 * made inside the root, printed as dpkg prints them and parsed by the same
 * parser as the real tool's output, so everything downstream is unchanged.
 *
 * dpkg, per listed path: lstat it (failing: `missing`, with strerror unless
 * ENOENT); with a digest known, `M` when it is not a regular file, then open
 * it (following a final link) and md5 it: `5` on a mismatch, `?` when it
 * cannot be opened. Here each step is made with chroot semantics
 * (resolve-in-root.ts), so a link never leads to the scanning host's files,
 * and the md5 comes from a Md5Source: the walk's own read when it is known to
 * be of the same content, else a read of the file (md5-source.ts). The checks
 * the walk cannot answer are made while it runs (dpkg-native-checks.ts).
 *
 * Where dpkg would hang or abort (a FIFO, a device or a directory to read, a
 * read error), driftscan reports without reading: not a regular file is `5`
 * too (it cannot hold the package's content), and what could not be read, or
 * leads into /proc, /sys or /dev, is an `untested` finding, never a pass.
 */
import type { BytePath, Finding, PackageData } from '../types.js';
import { parseDpkgVerify } from './dpkg-parse.js';
import { attachOwners, type ToolVerify } from './verify-result.js';
import { planDpkgVerify, type VerifyPlan } from './dpkg-verify-plan.js';
import { NativeChecks, type Outcome } from './dpkg-native-checks.js';
import type { Md5Source } from './md5-source.js';
import type { InfoTexts } from './info-texts.js';

function marker(plan: VerifyPlan, i: number): string {
  return plan.isConffile(i) ? 'c' : ' ';
}

/**
 * The dpkg --verify lines for the root, and findings for what dpkg would not
 * have finished. With the walk's digests (source.ready), what does not depend
 * on the walk is checked while it runs, the rest once it has finished.
 */
export async function verifyDpkgNative(
  root: string, admin: BytePath, owners: PackageData, source?: Md5Source, texts?: InfoTexts,
): Promise<ToolVerify & { lines: string[] }> {
  const plan = await planDpkgVerify(root, admin, texts);
  const checks = new NativeChecks(root, plan, source);
  await checks.beforeWalkEnds();
  await source?.ready;
  await checks.afterWalk();
  return report(plan, checks.outcomes, owners);
}

/** dpkg's lines (the missing ones first, then the others, each in the plan's order) parsed as the real tool's are. */
function report(plan: VerifyPlan, outcomes: ReadonlyMap<number, Outcome>, owners: PackageData): ToolVerify & { lines: string[] } {
  const order = [...outcomes.keys()].sort((a, b) => a - b);
  const lines: string[] = [];
  const untested: Finding[] = [];
  for (const i of order) {
    const o = outcomes.get(i)!;
    if ('missing' in o) lines.push(`missing   ${marker(plan, i)} ${plan.paths[i]!}${o.missing}`);
  }
  for (const i of order) {
    const o = outcomes.get(i)!;
    const path = plan.paths[i]!;
    if ('flags' in o) lines.push(`${o.flags} ${marker(plan, i)} ${path}`);
    else if ('untested' in o) {
      untested.push({
        path, status: 'untested', source: 'dpkg', marker: marker(plan, i), package: plan.stemOf(i),
        flags: '?????????', note: `(${o.untested})`, deltas: [], extra: [], untested: { md5: o.untested },
      });
    }
  }
  const parsed = parseDpkgVerify(lines.map((l) => `${l}\n`).join(''), { isKnownPath: (p) => p in owners.files });
  return { findings: [...attachOwners(parsed.findings, owners), ...untested], diagnostics: parsed.diagnostics, lines };
}
