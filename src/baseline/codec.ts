/**
 * The baseline body (format.ts): a sequence of msgpack values, not one
 * array, so it can be written as the walk goes and read one entry at a time:
 *
 *   header, entry 1, ..., entry M, nil, trailer, packages (or nil)
 *
 * The header holds what is known before the walk; the trailer what the walk
 * found (count, attributes, unlisted directories, growing logs, start paths
 * not walked). In memory the two are one BaselineHeader. Entries are sorted
 * by path bytes and their attributes kept in registry order, so the same
 * Baseline always encodes to the same bytes.
 */
import type { BaselineHeader, BytePath, Entry } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { isNumber, isText, packr } from './msgpack.js';

/** The header fields written before the entries. */
export type FrontHeader = Pick<BaselineHeader, 'format' | 'tool' | 'host' | 'created' | 'root' | 'policy' | 'keyId' | 'history'>;

/** What the walk found, written after the entries. */
export interface Trailer {
  count: number;
  /** Bytes of the regular files: what a later walk of the same paths should expect (progress). */
  bytes: number;
  attrs: string[];
  unlisted: BytePath[];
  growing: Array<[BytePath, number]>;
  notWalked?: Array<[BytePath, string]>;
}

const bytes = (p: string) => Buffer.from(p, 'latin1');
const text = (p: unknown) => (typeof p === 'string' ? p : Buffer.from(p as Uint8Array).toString('latin1'));

export function packFront(h: BaselineHeader | FrontHeader): Uint8Array {
  const { format, tool, host, created, root, policy, keyId, history } = h;
  return packr.pack({ format, tool, host, created, root, policy, keyId, ...(history ? { history } : {}) });
}

/** BytePath lists as binary, so non-UTF-8 names keep their bytes. */
export function packTrailer(t: Trailer): Uint8Array {
  return packr.pack({
    count: t.count,
    bytes: t.bytes,
    attrs: t.attrs,
    unlisted: t.unlisted.map(bytes),
    growing: t.growing.map(([p, size]) => [bytes(p), size]),
    // Only when there are some: a baseline that walked every include has no such field.
    ...(t.notWalked?.length ? { notWalked: t.notWalked.map(([p, why]) => [bytes(p), why]) } : {}),
  });
}

/** The trailer of an in-memory baseline (update, tests). */
export function trailerOf(h: BaselineHeader, entries: readonly Entry[]): Trailer {
  let total = 0;
  for (const e of entries) if (e.kind === 'file' && typeof e.attrs.size === 'number') total += e.attrs.size;
  return { count: entries.length, bytes: total, attrs: h.attrs, unlisted: h.unlisted, growing: h.growing ?? [], notWalked: h.notWalked };
}

/** Decodes msgpack values back to back, turning the decoder's failures into one printable line. */
export function unpackValues(body: Uint8Array, visit: (value: unknown, end: number) => boolean | void): void {
  try {
    packr.unpackMultiple(body as Buffer, (value: unknown, _start?: number, end?: number) => visit(value, end ?? body.length));
  } catch (err) {
    throw decodeError(err);
  }
}

export function decodeError(err: unknown): Error {
  if (err instanceof BaselineFormatError) return err;
  // The decoder's message may quote the damaged data: keep it to one short, printable line.
  const reason = String((err as Error).message).replace(/[^\x20-\x7e]+/g, '?').slice(0, 120);
  return new BaselineFormatError(`baseline body cannot be decoded: ${reason}`);
}

export function checkFront(raw: unknown): FrontHeader {
  const h = raw as FrontHeader;
  // Every field is printed or parsed later: check its type here, where the error can say so.
  const texts = ['tool', 'host', 'created', 'root', 'policy', 'keyId'] as const;
  if (typeof h !== 'object' || h === null || Array.isArray(h) || !isNumber(h.format) || texts.some((k) => !isText(h[k]))) {
    throw new BaselineFormatError('baseline header is malformed');
  }
  if (h.history !== undefined && !validHistory(h.history)) throw new BaselineFormatError('baseline history is malformed');
  return h;
}

export function checkTrailer(raw: unknown): Trailer {
  const t = raw as Record<string, unknown>;
  const pairs = (v: unknown, second: (x: unknown) => boolean) => Array.isArray(v) &&
    v.every((g) => Array.isArray(g) && g.length === 2 && g[0] instanceof Uint8Array && second(g[1]));
  if (
    typeof t !== 'object' || t === null || Array.isArray(t) || !isCount(t.count) || !isNumber(t.bytes) ||
    !Array.isArray(t.attrs) || !t.attrs.every(isText) ||
    !Array.isArray(t.unlisted) || !t.unlisted.every((p) => p instanceof Uint8Array) ||
    !pairs(t.growing, isNumber) || (t.notWalked !== undefined && !pairs(t.notWalked, isText))
  ) {
    throw new BaselineFormatError('baseline trailer is malformed');
  }
  return {
    count: t.count as number,
    bytes: t.bytes as number,
    attrs: t.attrs as string[],
    unlisted: (t.unlisted as unknown[]).map(text),
    growing: (t.growing as Array<[unknown, number]>).map(([p, size]) => [text(p), size]),
    ...(t.notWalked ? { notWalked: (t.notWalked as Array<[unknown, string]>).map(([p, why]): [string, string] => [text(p), why]) } : {}),
  };
}

const isCount = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;

/** The one in-memory header, in the order its fields were always listed. */
export function joinHeader(front: FrontHeader, t: Trailer): BaselineHeader {
  const { format, tool, host, created, root, policy, keyId, history } = front;
  return {
    format, tool, host, created, root, policy, attrs: t.attrs, keyId, unlisted: t.unlisted, growing: t.growing,
    ...(t.notWalked ? { notWalked: t.notWalked } : {}), ...(history ? { history } : {}),
  };
}

/** An update's chain: each step's fields are printed by `show --history`, so each is checked. */
function validHistory(history: unknown): boolean {
  if (!Array.isArray(history)) return false;
  const texts = ['parent', 'parentCreated', 'keyId', 'at', 'report'] as const;
  return history.every((step: Record<string, unknown>) =>
    typeof step === 'object' && step !== null && texts.every((k) => isText(step[k])) &&
    (step.packages === 'reread' || step.packages === 'kept') && Array.isArray(step.accepted) &&
    (step.accepted as unknown[]).every((a) => Array.isArray(a) && a.length === 2 && isText(a[0]) && isNumber(a[1])));
}
