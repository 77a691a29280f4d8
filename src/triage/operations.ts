/**
 * The package operations since the baseline, each with the time window the
 * root's own logs give it and whether it may explain anything at all.
 * Pure: the log events and repository indexes are read by src/pkg/.
 *
 * A window runs from the dpkg.log line that installed, upgraded or removed
 * the package to the end of the dpkg run that last names it (so triggers run
 * at the end of that run are inside it). dpkg.log has one-second resolution:
 * a change in the window's last second is inside it.
 */
import type { PackageOperation } from '../types.js';
import type { PackageChanges } from '../pkg/diff.js';
import type { LogEvent } from '../pkg/dpkg-log.js';

export const NOT_FROM_REPOSITORY = 'package not from a configured repository';
export const ORIGIN_NOT_CHECKED = 'package origin not checked: the root keeps no repository metadata that can be read';

export interface TriageOperation {
  op: PackageOperation;
  /** Why this operation explains nothing (its package came from no configured repository). */
  distrust?: string;
}

export interface OperationFacts {
  changes: PackageChanges;
  /** dpkg.log events, oldest first. */
  events?: readonly LogEvent[];
  /** rpm: "name\0version" -> INSTALLTIME (seconds). */
  installTimes?: ReadonlyMap<string, number>;
  /** rpm: package name -> the latest ctime of its files now (where its transaction's writes end). */
  lastWrite?: ReadonlyMap<string, number>;
  /** Versions the configured repositories offer; undefined: the origin cannot be checked. */
  offered?: ReadonlyMap<string, ReadonlySet<string>>;
  trustLocal: boolean;
  /** The baseline's creation time, seconds: operations before it are not this one. */
  since: number;
}

/**
 * rpm records no end: the window runs from INSTALLTIME to the last write to
 * the package's files (its scriptlets run right after), at most this long.
 */
export const RPM_WINDOW_SECONDS = 60;
/** Scriptlets run after the last file is written: the window reaches this far past it. */
export const RPM_SCRIPTLET_SECONDS = 2;

function sameArch(e: LogEvent, arch: string): boolean {
  return !e.arch || e.arch === arch;
}

/** [start, end] of an operation in dpkg.log, or undefined when the log does not record it. */
function dpkgWindow(events: readonly LogEvent[], op: PackageOperation, since: number): [number, number] | undefined {
  let at = -1;
  events.forEach((e, i) => {
    if (e.time < since || e.name !== op.name || !sameArch(e, op.arch)) return;
    const starts = op.kind === 'remove'
      ? (e.action === 'remove' || e.action === 'purge') && e.versions[0] === op.from
      : (e.action === 'install' || e.action === 'upgrade') && e.versions[1] === op.to;
    if (starts) at = i;
  });
  if (at < 0) return undefined;
  let last = at;
  for (let i = at + 1; i < events.length; i++) if (events[i]!.name === op.name && sameArch(events[i]!, op.arch)) last = i;
  // The run that last names the package ends where the next run starts.
  let end = last;
  while (end + 1 < events.length && events[end + 1]!.action !== 'startup') end++;
  return [events[at]!.time, events[end]!.time];
}

function window(facts: OperationFacts, op: PackageOperation): [number, number] | undefined {
  if (facts.events) return dpkgWindow(facts.events, op, facts.since);
  const installed = op.to !== null ? facts.installTimes?.get(`${op.name}\0${op.to}`) : undefined;
  if (installed === undefined || installed < facts.since) return undefined;
  const last = facts.lastWrite?.get(op.name);
  const end = Math.min((last !== undefined && last >= installed ? last : installed) + RPM_SCRIPTLET_SECONDS, installed + RPM_WINDOW_SECONDS);
  return [installed, end];
}

function distrust(facts: OperationFacts, op: PackageOperation): string | undefined {
  if (facts.trustLocal || op.kind === 'remove') return undefined;
  if (!facts.offered) return ORIGIN_NOT_CHECKED;
  return facts.offered.get(op.name)?.has(op.to!) ? undefined : NOT_FROM_REPOSITORY;
}

export function buildOperations(facts: OperationFacts): TriageOperation[] {
  const { changes } = facts;
  const ops: PackageOperation[] = [
    ...changes.installed.map((p) => ({ kind: 'install' as const, name: p.name, arch: p.arch, from: null, to: p.version })),
    ...changes.upgraded.map((p) => ({ kind: 'upgrade' as const, name: p.name, arch: p.arch, from: p.from, to: p.to })),
    ...changes.removed.map((p) => ({ kind: 'remove' as const, name: p.name, arch: p.arch, from: p.version, to: null })),
  ];
  return ops.map((op) => {
    const w = window(facts, op);
    const full: PackageOperation = w ? { ...op, start: w[0], end: w[1] } : op;
    const why = distrust(facts, op);
    return why ? { op: full, distrust: why } : { op: full };
  });
}

/** "upgrade tzdata 2026b -> 2026f", "install hello 1.1", "remove hello 1.0". */
export function describeOperation(op: PackageOperation): string {
  if (op.kind === 'upgrade') return `upgrade ${op.name} ${op.from} -> ${op.to}`;
  return `${op.kind} ${op.name} ${op.kind === 'remove' ? op.from : op.to}`;
}
