/**
 * A regular file's content attributes: queued to the hash pool as the walk
 * meets it, filled in when the pool answers (in registry order, so the
 * baseline's bytes do not depend on which worker answered first).
 */
import type { Entry } from '../types.js';
import type { HashPool } from '../hash/pool.js';
import type { HashResult } from '../hash/digest.js';
import type { WalkStep } from '../walk/ordered.js';
import { ATTRIBUTES, DIGEST_ROWS, KEEP_CONTENT_BYTES, withheldContent } from '../attrs/registry.js';
import type { SnapshotOptions } from './snapshot.js';
import { splitDeferred, type DeferredDigests } from './deferred.js';

/** The attributes the hash pool fills in (digests, kept content). */
const CONTENT_ATTRS = ATTRIBUTES.filter((row) => row.source === 'content').map((row) => row.name);

/** Digest attribute name -> the algorithm the pool runs, and back. */
const ALGORITHM = new Map(DIGEST_ROWS.map((row) => [row.name, row.digest!.algorithm]));
const DIGEST_ATTR = new Map(DIGEST_ROWS.map((row) => [row.digest!.algorithm, row.name]));

/** The pool's digests, by algorithm, as attribute values by name. */
function byAttr(digests: Partial<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algo, value] of Object.entries(digests ?? {})) if (value !== undefined) out[DIGEST_ATTR.get(algo) ?? algo] = value;
  return out;
}

/** Others may read it: only then is its text kept (a 0600 unit may hold a password). */
const WORLD_READABLE = 0o004;

const algorithmLists = new WeakMap<readonly string[], readonly string[]>();

/** The algorithms of a list of content rows: one shared, read-only list per list (walker.ts shares those). */
function algorithmsOf(wanted: readonly string[]): readonly string[] {
  let algos = algorithmLists.get(wanted);
  if (!algos) {
    algos = wanted.flatMap((n) => ALGORITHM.get(n) ?? []);
    algorithmLists.set(wanted, algos);
  }
  return algos;
}

export interface Slot {
  entry: Entry;
  /** Waiting for the pool. */
  pending: boolean;
  /** The content attribute holds a marker with a digest, never the text. */
  withheld?: boolean;
  /** The algorithms the entry records, and those extraDigests asked for (hashed in the same read). */
  algos?: readonly string[];
  asked?: readonly string[];
  /** Weak digests left for the scan to settle (deferred.ts): a shared split, nothing allocated per file. */
  deferred?: DeferredDigests;
}

/** A slot with every field laid out at once: fields added one by one cost each file a property store. */
export function newSlot(entry: Entry): Slot {
  return { entry, pending: false, withheld: undefined, algos: undefined, asked: undefined, deferred: undefined };
}


export function queueContent(pool: HashPool<Slot>, slot: Slot, step: WalkStep, root: string, opts: SnapshotOptions): void {
  const { entry, st, digests: wanted } = step;
  let algos = algorithmsOf(wanted);
  let keep = wanted.includes('content') ? KEEP_CONTENT_BYTES : undefined;
  if (keep !== undefined && !(st.mode & WORLD_READABLE)) {
    keep = undefined;
    slot.withheld = true;
    // The marker carries a digest, so a change still shows; the table's first when none was asked for.
    if (algos.length === 0) algos = [DIGEST_ROWS[0]!.digest!.algorithm];
  }
  if (opts.deferWeakDigests?.active && !entry.growing) {
    const split = splitDeferred(algos);
    if (split) {
      algos = split.hashed;
      slot.deferred = split;
    }
  }
  const asked = opts.extraDigests?.algosFor(entry.path, algos);
  const extra = asked?.filter((a) => !algos.includes(a)) ?? [];
  slot.algos = algos;
  if (asked) slot.asked = asked;
  slot.pending = true;
  pool.add({
    path: root === '/' ? entry.path : root + entry.path,
    ino: st.ino,
    dev: st.dev,
    size: st.size,
    algos: extra.length ? [...algos, ...extra] : algos,
    prefix: entry.growing ? opts.prefixFor?.(entry.path) : undefined,
    keep,
  }, slot);
}

/** The pool's result into the entry's null slots (registry order kept); extra digests to their taker. */
export function fill(slot: Slot, r: HashResult, opts: SnapshotOptions): void {
  const { entry } = slot;
  if (r.error) {
    for (const name of CONTENT_ATTRS) {
      if (!(name in entry.attrs)) continue;
      delete entry.attrs[name];
      (entry.untested ??= {})[name] = r.error;
    }
    return;
  }
  // The entry records only its own algorithms: the baseline's bytes do not depend on who else asked.
  const got = r.digests ?? {};
  const own = slot.algos!;
  for (let i = 0; i < own.length; i++) {
    const value = got[own[i]!];
    if (value !== undefined) entry.attrs[DIGEST_ATTR.get(own[i]!) ?? own[i]!] = value;
  }
  if (slot.asked) opts.extraDigests!.take(entry.path, pick(got, slot.asked));
  if (slot.withheld) entry.attrs.content = withheldContent(firstOwnDigest(got, own));
  else if ('content' in entry.attrs) entry.attrs.content = r.content ?? null;
  if (r.prefix) entry.prefix = byAttr(r.prefix);
}

/** The digest of the digest table's first row among the entry's own algorithms. */
function firstOwnDigest(got: Partial<Record<string, string>>, own: readonly string[]): string | undefined {
  for (const row of DIGEST_ROWS) {
    const algo = row.digest!.algorithm;
    if (own.includes(algo) && got[algo] !== undefined) return got[algo];
  }
  return undefined;
}

function pick(digests: Partial<Record<string, string>> | undefined, algos: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const algo of algos) {
    const value = digests?.[algo];
    if (value !== undefined) out[algo] = value;
  }
  return out;
}
