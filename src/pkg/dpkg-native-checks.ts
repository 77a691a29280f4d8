/**
 * The checks of driftscan's own dpkg verify (dpkg-native.ts), made in two
 * passes so that little is left for after the walk:
 *
 * - beside the walk: every check whose answer does not come from the walk
 *   (directories, links, missing paths, files outside what the walk records),
 *   lstat-ed, and such files read, inside the root;
 * - after the walk: the files the walk may have read (Md5Source.covers), each
 *   path's directories resolved again from scratch, as they are now: a path
 *   that leads to a walked file with the recorded sha256 is that file now (its
 *   md5 is the recorded one); any other is checked like the first pass's.
 *
 * Only what dpkg prints is kept (a passing check leaves nothing), by the
 * check's place in the plan, so the lines come out in the plan's order
 * whichever pass made them. Every check is settled exactly once: one left
 * unsettled is an error, never a pass.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath } from '../types.js';
import { inPseudoFs, InRootResolver, type Resolved } from './resolve-in-root.js';
import { parentDirectory, pathThrough } from './through-directories.js';
import type { PlannedCheck } from './dpkg-verify-plan.js';
import { md5InRoot, type Md5Source } from './md5-source.js';

/** Checks between two turns of the event loop: the first pass shares the thread with the walk. */
const SLICE = 2048;

/** strerror(3) texts dpkg appends to a `missing` line for the errors lstat gives. */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EPERM: 'Operation not permitted',
};

/** What a check that did not pass left: a `missing` line, a flags line, or why its file was not read. */
export type Outcome = { missing: string } | { flags: string } | { untested: string };

/** A regular file a check must digest, and whether lstat found a link to it (dpkg's `M`). */
interface ToRead {
  index: number;
  file: BytePath;
  notRegular: boolean;
}

export class NativeChecks {
  /** Outcomes of the checks that did not pass, by their index in the plan. */
  readonly outcomes = new Map<number, Outcome>();
  /** Checks left for the walk: their index, and what their directory resolved to in the first pass. */
  private readonly deferred: number[] = [];
  private readonly deferredIn: Resolved[] = [];
  private settled = 0;

  constructor(private readonly root: string, private readonly plan: readonly PlannedCheck[], private readonly source?: Md5Source) {}

  /** The first pass: everything the walk cannot answer; with no walk to wait for, everything. */
  async beforeWalkEnds(): Promise<void> {
    const { source, plan } = this;
    const waits = source?.ready !== undefined;
    const resolver = new InRootResolver(this.root);
    // Directories the walk records a file in: their files are left for it without asking each (leaving is always sound).
    const walked = new Set<Resolved>();
    const reads: ToRead[] = [];
    for (let i = 0; i < plan.length; i++) {
      if (i > 0 && i % SLICE === 0) await nextTurn();
      const check = plan[i]!;
      if (waits && check.hash !== undefined) {
        const dir = parentDirectory(resolver, check.path);
        if (dir?.ok && (walked.has(dir) || (source!.covers?.(pathThrough(dir, check.path)) ?? true))) {
          walked.add(dir);
          this.deferred.push(i);
          this.deferredIn.push(dir);
          continue;
        }
      }
      this.lstatCheck(i, resolver, reads);
    }
    await this.digest(reads);
  }

  /** The second pass, once `known` can answer; throws if any check was left unsettled. */
  async afterWalk(): Promise<void> {
    const { source, plan } = this;
    // Each directory resolved afresh, as it is now: where it still leads where it led, the walk's answer stands.
    const resolver = new InRootResolver(this.root);
    const still = new Map<Resolved, boolean>();
    const reads: ToRead[] = [];
    for (let k = 0; k < this.deferred.length; k++) {
      if (k > 0 && k % SLICE === 0) await nextTurn();
      const i = this.deferred[k]!;
      const path = plan[i]!.path;
      const was = this.deferredIn[k] as Resolved & { ok: true };
      let same = still.get(was);
      if (same === undefined) {
        const now = parentDirectory(resolver, path);
        still.set(was, (same = now !== undefined && now.ok && now.path === was.path));
      }
      const md5 = same ? source!.known(pathThrough(was, path)) : undefined;
      if (md5 !== undefined) this.compared(i, false, md5);
      else this.lstatCheck(i, resolver, reads);
    }
    this.deferred.length = this.deferredIn.length = 0;
    await this.digest(reads);
    if (this.settled !== plan.length) throw new Error(`dpkg verify: ${plan.length - this.settled} of ${plan.length} checks were not made`);
  }

  /** dpkg's check of one path: lstat it; with a digest, open it (following a final link) and digest it. */
  private lstatCheck(i: number, resolver: InRootResolver, reads: ToRead[]): void {
    const check = this.plan[i]!;
    const st = resolver.resolve(check.path, false);
    if (!st.ok) return this.settle(i, { missing: st.code === 'ENOENT' ? '' : ` (${STRERROR[st.code] ?? st.code})` });
    if (check.hash === undefined) return this.settle(i);
    const notRegular = st.kind !== 'file';
    const target = st.kind === 'symlink' ? resolver.resolve(check.path, true) : st;
    if (!target.ok) return this.settle(i, flags(notRegular, '?'));
    if (inPseudoFs(target.path)) return this.settle(i, { untested: `leads to ${target.path} in the root, not read` });
    if (target.kind !== 'file') return this.settle(i, flags(notRegular, '5'));
    reads.push({ index: i, file: target.path, notRegular });
  }

  private async digest(reads: ToRead[]): Promise<void> {
    if (reads.length === 0) return;
    const digests = await md5InRoot(this.root, reads.map((r) => r.file), this.source);
    for (const r of reads) {
      const got = digests.get(r.file)!;
      if ('error' in got) this.settle(r.index, { untested: got.error });
      else this.compared(r.index, r.notRegular, got.md5);
    }
  }

  private compared(i: number, notRegular: boolean, md5: string): void {
    const five = md5 === this.plan[i]!.hash ? '.' : '5';
    this.settle(i, notRegular || five !== '.' ? flags(notRegular, five) : undefined);
  }

  private settle(i: number, outcome?: Outcome): void {
    this.settled++;
    if (outcome !== undefined) this.outcomes.set(i, outcome);
  }
}

function flags(notRegular: boolean, five: string): Outcome {
  return { flags: `?${notRegular ? 'M' : '?'}${five}??????` };
}
