/**
 * The triage rules, one finding at a time. Pure: what the walk saw now
 * (kind, ctime), the package databases before and after, the operations
 * with their windows, and the current digest of a file come in as data.
 *
 * A finding is explained only by:
 *  1. package content: its package was installed or upgraded since the
 *     baseline and the disk holds what the database records (a listed
 *     symlink or directory: listed, and not changed after the operation);
 *     a path a removed or upgraded package no longer ships is gone;
 *  2. bookkeeping: the package manager's own databases and logs, when an
 *     operation happened in between;
 *  3. side effect: its ctime falls inside an operation's window;
 *  4. a directory whose only changes come from entries explained below it.
 * Never: content other than the package records, a change after every
 * window, or anything an operation from no configured repository did.
 */
import type { AttrValue, BytePath, Evidence, FileKind, Finding, PackageData } from '../types.js';
import { recordMismatch, type RecordedAttrs } from './records.js';
import { BOOKKEEPING, DPKG_INFO } from './bookkeeping.js';
import type { TriageOperation } from './operations.js';
import { packagePaths, type Alias } from './path-model.js';
import { packagedFile } from '../baseline/package-rows.js';

export const UNOWNED = 'unowned';

export interface EntryFacts {
  kind: FileKind;
  /** Inode change time now, whole seconds. */
  ctime?: number;
  /** The walk's attributes now (mode, owner, group, target, size, mtime, ...). */
  attrs?: Readonly<Record<string, AttrValue>>;
}

export interface TriageContext {
  before: PackageData;
  after: PackageData;
  operations: readonly TriageOperation[];
  /** Current content digest of a walked file (undefined: not known). */
  digest: (path: BytePath, algo: string) => string | undefined;
  /** What the walk found at a disk path now. */
  entry?: (path: BytePath) => EntryFacts | undefined;
  aliases?: readonly Alias[];
  /** rpm: mode, owner, group, link target, size and mtime the database records; dpkg: statoverride entries. */
  recorded?: (pkgPath: BytePath) => RecordedAttrs | undefined;
}

export interface Verdict {
  triage: 'explained' | 'unexplained';
  evidence?: Evidence;
  reason?: string;
}

const UNEXPLAINED: Verdict = { triage: 'unexplained' };

/** dpkg owners may be "name:arch"; operations are matched by name. */
export function baseName(pkg: string): string {
  return pkg.split(':')[0]!;
}

/** The parent directory of a path. */
export function parentOf(path: BytePath): BytePath {
  return path.slice(0, Math.max(1, path.lastIndexOf('/')));
}

export class Rules {
  constructor(private readonly ctx: TriageContext) {}

  /** Owner and record, looking the path up by each name the package database may use for it. */
  owner(path: BytePath): { pkgPath: BytePath; pkg: string; rec?: PackageData['files'][string] } | undefined {
    const names = packagePaths(path, this.ctx.aliases ?? []);
    for (const p of names) {
      const rec = this.ctx.after.files[p];
      if (rec) return { pkgPath: p, pkg: rec.pkg, rec };
    }
    for (const p of names) {
      const rec = packagedFile(this.ctx.before, p);
      if (rec) return { pkgPath: p, pkg: rec.pkg };
    }
    return undefined;
  }

  private operationOf(pkg: string): TriageOperation | undefined {
    const name = baseName(pkg);
    return this.ctx.operations.find((o) => o.op.name === name);
  }

  /** When the path last changed: its own ctime, or for a path now gone its directory's (the removal changed it). */
  private changedAt(f: Finding): number | undefined {
    return this.ctx.entry?.(f.status === 'missing' ? parentOf(f.path) : f.path)?.ctime;
  }

  private kindNow(f: Finding): FileKind | undefined {
    return this.ctx.entry?.(f.path)?.kind ?? f.kind;
  }

  private explained(t: TriageOperation, rule: Evidence['rule'], detail: string): Verdict {
    if (t.distrust) return { triage: 'unexplained', reason: t.distrust };
    return { triage: 'explained', evidence: { operation: t.op, rule, detail } };
  }

  /** Rules 1-3 for a finding (rule 4 for directories is the caller's, with the children's verdicts). */
  judge(f: Finding): Verdict {
    if (f.status === 'untested') return UNEXPLAINED;
    const at = this.changedAt(f);
    const owned = this.owner(f.path);
    if (owned) {
      const v = this.packageContent(f, owned, at);
      if (v) return v;
    }
    return this.bookkeeping(f.path, at) ?? this.sideEffect(at) ?? this.outsideWindows(at);
  }

  /** Nothing explains it; when its change time is known and operations are, say that it lies outside them. */
  private outsideWindows(at: number | undefined): Verdict {
    if (at === undefined || !this.ctx.operations.some((o) => o.op.start !== undefined)) return UNEXPLAINED;
    return { triage: 'unexplained', reason: `changed at ${new Date(at * 1000).toISOString()}, outside every package operation` };
  }

  private recordMismatch(f: Finding, pkgPath: BytePath): string | undefined {
    const rec = this.ctx.recorded?.(pkgPath);
    const e = this.ctx.entry?.(f.path);
    return rec && e ? recordMismatch(e, rec) : undefined;
  }

  /** Rule 1. A verdict, or undefined to let the later rules try. */
  private packageContent(f: Finding, owned: NonNullable<ReturnType<Rules['owner']>>, at: number | undefined): Verdict | undefined {
    const t = this.operationOf(owned.pkg);
    if (f.status === 'missing') {
      if (!t || !(t.op.kind === 'remove' || !(owned.pkgPath in this.ctx.after.files))) return undefined;
      return this.explained(t, 'package-content', t.op.kind === 'remove' ? `owned by ${owned.pkg}, removed` : `no longer shipped by ${owned.pkg}`);
    }
    const rec = owned.rec;
    if (!rec) return undefined;
    const afterWindow = t?.op.end !== undefined && at !== undefined && at > t.op.end;
    if (rec.digest && rec.algo) {
      if (this.kindNow(f) !== 'file' && this.kindNow(f) !== undefined) {
        return { triage: 'unexplained', reason: `${owned.pkg} records a file here` };
      }
      const now = this.ctx.digest(f.path, rec.algo);
      if (now === undefined) return { triage: 'unexplained', reason: 'content could not be read' };
      if (now.toLowerCase() !== rec.digest.toLowerCase()) {
        return { triage: 'unexplained', reason: `content differs from what ${owned.pkg} records` };
      }
      const differs = this.recordMismatch(f, owned.pkgPath);
      if (differs) return { triage: 'unexplained', reason: `${differs} differs from what ${owned.pkg} records` };
      if (!t || t.op.kind === 'remove' || afterWindow) return undefined;
      return this.explained(t, 'package-content', `${rec.algo} matches what ${owned.pkg} ${t.op.to} records`);
    }
    const kind = this.kindNow(f);
    if (!t || t.op.kind === 'remove' || afterWindow || (kind !== 'dir' && kind !== 'symlink')) return undefined;
    const differs = this.recordMismatch(f, owned.pkgPath);
    if (differs) return { triage: 'unexplained', reason: `${differs} differs from what ${owned.pkg} records` };
    return this.explained(t, 'package-content', `${kind} listed by ${owned.pkg} ${t.op.to}`);
  }

  /** Rule 2. */
  private bookkeeping(path: BytePath, at: number | undefined): Verdict | undefined {
    if (!BOOKKEEPING.some((re) => re.test(path))) return undefined;
    const info = DPKG_INFO.exec(path);
    const own = info ? this.ctx.operations.find((o) => o.op.name === info[1]) : undefined;
    if (own) return this.explained(own, 'bookkeeping', `package database entry of ${own.op.name}`);
    const trusted = this.ctx.operations.filter((o) => !o.distrust);
    if (trusted.length === 0) {
      const any = this.ctx.operations[0];
      return any ? { triage: 'unexplained', reason: any.distrust } : undefined;
    }
    const t = this.within(trusted, at) ?? trusted.reduce((a, b) => ((b.op.end ?? 0) > (a.op.end ?? 0) ? b : a));
    return this.explained(t, 'bookkeeping', 'package manager database or log');
  }

  /** Rule 3. */
  private sideEffect(at: number | undefined): Verdict | undefined {
    const t = this.within(this.ctx.operations, at);
    if (!t) return undefined;
    return this.explained(t, 'side-effect', `changed at ${new Date(at! * 1000).toISOString()}, inside the operation's window`);
  }

  /** The narrowest window holding `at`, trusted operations first. */
  private within(ops: readonly TriageOperation[], at: number | undefined): TriageOperation | undefined {
    if (at === undefined) return undefined;
    const holding = ops.filter((o) => o.op.start !== undefined && o.op.start <= at && at <= o.op.end!);
    const width = (o: TriageOperation) => o.op.end! - o.op.start!;
    return holding.sort((a, b) => Number(!!a.distrust) - Number(!!b.distrust) || width(a) - width(b))[0];
  }
}
