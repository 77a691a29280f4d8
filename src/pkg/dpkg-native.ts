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
 * be of the same content, else a read in the hash pool.
 *
 * Where dpkg would hang or abort (a FIFO, a device or a directory to read, a
 * read error), driftscan reports without reading: not a regular file is `5`
 * too (it cannot hold the package's content), and what could not be read, or
 * leads into /proc, /sys or /dev, is an `untested` finding, never a pass.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath, Finding, PackageData } from '../types.js';
import { inPseudoFs, InRootResolver, throughDirectories, type Resolved } from './resolve-in-root.js';
import { parseDpkgVerify } from './dpkg-parse.js';
import { attachOwners, type ToolVerify } from './verify-result.js';
import { planDpkgVerify, type PlannedCheck } from './dpkg-verify-plan.js';
import { md5InRoot, type Md5Source } from './md5-source.js';
import type { InfoTexts } from './info-texts.js';

/** strerror(3) texts dpkg appends to a `missing` line for the errors lstat gives. */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EPERM: 'Operation not permitted',
};

interface Opened {
  check: PlannedCheck;
  notRegular: boolean;
  /** The in-root path of the regular file to digest; undefined when it cannot be opened or read. */
  file?: BytePath;
  untested?: string;
  /** Not a regular file after the final link: content that cannot be the package's. */
  otherKind?: boolean;
}

function marker(c: PlannedCheck): string {
  return c.conffile ? 'c' : ' ';
}

/**
 * lstat inside the root, answered from the walk where it can be: a path whose
 * directories lead to a file the walk read, with the recorded sha256, is that
 * regular file (no lstat again: on / that is 95,000 fewer).
 */
function walkAwareLstat(resolver: InRootResolver, source: Md5Source | undefined) {
  const through = throughDirectories(resolver);
  return (path: BytePath): Resolved => {
    const at = source ? through(path) : undefined;
    if (at !== undefined && source!.known(at) !== undefined) return { ok: true, path: at, kind: 'file', divergent: false };
    return resolver.resolve(path, false);
  };
}

/** The dpkg --verify lines for the root, and findings for what dpkg would not have finished. */
export async function verifyDpkgNative(
  root: string, admin: BytePath, owners: PackageData, source?: Md5Source, texts?: InfoTexts,
): Promise<ToolVerify & { lines: string[] }> {
  const resolver = new InRootResolver(root);
  const lines: string[] = [];
  const opened: Opened[] = [];
  const plan = await planDpkgVerify(root, admin, texts);
  // With the walk's digests, the checks wait for the walk, and most are answered from it.
  await source?.ready;
  const lstat = walkAwareLstat(resolver, source);
  for (let i = 0; i < plan.length; i++) {
    if (i > 0 && i % 2048 === 0) await nextTurn();
    const check = plan[i]!;
    const st = lstat(check.path);
    if (!st.ok) {
      const why = st.code === 'ENOENT' ? '' : ` (${STRERROR[st.code] ?? st.code})`;
      lines.push(`missing   ${marker(check)} ${check.path}${why}`);
      continue;
    }
    if (check.hash === undefined) continue;
    const o: Opened = { check, notRegular: st.kind !== 'file' };
    const target = st.kind === 'symlink' ? resolver.resolve(check.path, true) : st;
    if (target.ok && inPseudoFs(target.path)) o.untested = `leads to ${target.path} in the root, not read`;
    else if (target.ok && target.kind === 'file') o.file = target.path;
    else if (target.ok) o.otherKind = true;
    opened.push(o);
  }
  const digests = await md5InRoot(root, opened.flatMap((o) => (o.file ? [o.file] : [])), source);
  const untested: Finding[] = [];
  for (const o of opened) {
    let five = '?';
    if (o.otherKind) five = '5';
    else if (o.file) {
      const got = digests.get(o.file)!;
      if ('error' in got) o.untested = got.error;
      else five = got.md5 === o.check.hash ? '.' : '5';
    }
    if (o.untested) {
      untested.push({
        path: o.check.path, status: 'untested', source: 'dpkg', marker: marker(o.check), package: o.check.pkg,
        flags: '?????????', note: `(${o.untested})`, deltas: [], extra: [], untested: { md5: o.untested },
      });
      continue;
    }
    const flags = `?${o.notRegular ? 'M' : '?'}${five}??????`;
    if (o.notRegular || five !== '.') lines.push(`${flags} ${marker(o.check)} ${o.check.path}`);
  }
  const parsed = parseDpkgVerify(lines.map((l) => `${l}\n`).join(''), { isKnownPath: (p) => p in owners.files });
  return { findings: [...attachOwners(parsed.findings, owners), ...untested], diagnostics: parsed.diagnostics, lines };
}
