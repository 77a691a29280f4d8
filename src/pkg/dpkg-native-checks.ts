/**
 * The checks of driftscan's own dpkg verify (dpkg-native.ts), made in two
 * passes so that little is left for after the walk:
 *
 * - beside the walk: every check whose answer does not come from the walk
 *   (links, missing paths, directories outside it, files it does not record:
 *   Md5Source.covers), lstat-ed, and such files read, inside the root;
 * - after the walk: the files the walk may have read, each path's directories
 *   resolved from scratch, as they are now: a path that leads to a walked file
 *   with the recorded sha256 is that file now (its md5 is the recorded one);
 *   any other is checked like the first pass's. The directories those files
 *   are in (and theirs) are checked then too: resolving them costs nothing
 *   more then, and an lstat each in the first pass.
 *
 * Only what dpkg prints is kept (a passing check leaves nothing), by the
 * check's place in the plan, so the lines come out in the plan's order
 * whichever pass made them. Every check is settled exactly once: one left
 * unsettled is an error, never a pass.
 */
import { besideWalk } from '../beside-walk.js';
import type { BytePath } from '../types.js';
import { inPseudoFs, InRootResolver } from './resolve-in-root.js';
import { parentDirectory, pathThrough, throughDirectories } from './through-directories.js';
import type { VerifyPlan } from './dpkg-verify-plan.js';
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
  /** Checks left for after the walk: files it may have read, then directories it resolves anyway. */
  private readonly deferred: number[] = [];
  private readonly deferredDirs: number[] = [];
  private settled = 0;

  constructor(private readonly root: string, private readonly plan: VerifyPlan, private readonly source?: Md5Source) {}

  /** The first pass: everything the walk cannot answer; with no walk to wait for, everything. */
  async beforeWalkEnds(): Promise<void> {
    const { source, plan } = this;
    const waits = source?.ready !== undefined;
    const covers = (path: BytePath) => source!.covers?.(path) ?? true;
    const resolver = new InRootResolver(this.root);
    // Directories (as listed) holding a file the walk records: their other files are left for it without asking (always sound).
    const walked = new Set<BytePath>();
    const noDigest: number[] = [];
    const reads: ToRead[] = [];
    for (let i = 0; i < plan.length; i++) {
      if (i > 0 && i % SLICE === 0) await besideWalk();
      const path = plan.paths[i]!;
      const hash = plan.hashes[i];
      if (!waits) this.lstatCheck(i, resolver, reads);
      else if (hash === undefined) noDigest.push(i);
      else {
        const dir = plan.dirs[i]!;
        // As listed, or where its directories lead (merged /usr: /bin/ls is /usr/bin/ls).
        const parent = walked.has(dir) || covers(path) ? undefined : parentDirectory(resolver, path, dir);
        if (parent === undefined || (parent.ok && covers(pathThrough(parent, path)))) {
          walked.add(dir);
          this.deferred.push(i);
        } else this.lstatCheck(i, resolver, reads);
      }
    }
    // After the walk, those directories and theirs are resolved again: their own checks are answered then, with no lstat more.
    const again = new Set<BytePath>();
    for (const key of walked) for (let k = key; k !== '' && !again.has(k); k = k.slice(0, k.lastIndexOf('/'))) again.add(k);
    for (let k = 0; k < noDigest.length; k++) {
      if (k > 0 && k % SLICE === 0) await besideWalk();
      const i = noDigest[k]!;
      if (again.has(plan.paths[i]!)) this.deferredDirs.push(i);
      else this.lstatCheck(i, resolver, reads);
    }
    await this.digest(reads);
  }

  /** The second pass, once `known` can answer; throws if any check was left unsettled. */
  async afterWalk(): Promise<void> {
    const { source, plan } = this;
    // Resolved afresh: the directories as they are now, not as they were while the walk ran.
    const resolver = new InRootResolver(this.root);
    const through = throughDirectories(resolver);
    const reads: ToRead[] = [];
    for (let k = 0; k < this.deferred.length; k++) {
      if (k > 0 && k % SLICE === 0) await besideWalk();
      const i = this.deferred[k]!;
      const at = through(plan.paths[i]!, plan.dirs[i]);
      const md5 = at !== undefined ? source!.known(at) : undefined;
      if (md5 !== undefined) this.compared(i, false, md5);
      else this.lstatCheck(i, resolver, reads);
    }
    for (let k = 0; k < this.deferredDirs.length; k++) {
      if (k > 0 && k % SLICE === 0) await besideWalk();
      this.lstatCheck(this.deferredDirs[k]!, resolver, reads);
    }
    this.deferred.length = this.deferredDirs.length = 0;
    await this.digest(reads);
    if (this.settled !== plan.length) throw new Error(`dpkg verify: ${plan.length - this.settled} of ${plan.length} checks were not made`);
  }

  /** dpkg's check of one path: lstat it; with a digest, open it (following a final link) and digest it. */
  private lstatCheck(i: number, resolver: InRootResolver, reads: ToRead[]): void {
    const path = this.plan.paths[i]!;
    const st = resolver.resolve(path, false);
    if (!st.ok) return this.settle(i, { missing: st.code === 'ENOENT' ? '' : ` (${STRERROR[st.code] ?? st.code})` });
    if (this.plan.hashes[i] === undefined) return this.settle(i);
    const notRegular = st.kind !== 'file';
    const target = st.kind === 'symlink' ? resolver.resolve(path, true) : st;
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
    const five = md5 === this.plan.hashes[i] ? '.' : '5';
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
