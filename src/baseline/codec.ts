/**
 * The baseline body: a sequence of msgpack values, not one array, so a scan
 * can read the entries one at a time instead of holding them all:
 *
 *   header, packages (or nil), entry count N, entry 1, ..., entry N
 *
 * Entries are sorted by path bytes and their attributes kept in registry
 * order, so the same Baseline always encodes to the same bytes.
 */
import type { Baseline, BaselineHeader, Entry, PackageData } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { EntryUnpacker, packEntries } from './codec-entries.js';
import { packPackages, unpackPackages } from './codec-packages.js';
import { isNumber, isText, packr } from './msgpack.js';

/**
 * Encodes the body piece by piece into `write`, which must copy each piece
 * (the encoder reuses its buffer): the sealer copies them straight into the
 * file image, so no second copy of a million entries' body is ever held.
 */
export function encodeBody(b: Baseline, write: (bytes: Uint8Array) => void): void {
  write(packr.pack(packHeader(b.header)));
  write(packr.pack(packPackages(b.packages)));
  write(packr.pack(b.entries.length));
  packEntries(b.entries, write);
}

/** A verified body, its entries not yet decoded. */
export interface BaselineReader {
  header: BaselineHeader;
  packages?: PackageData;
  count: number;
  /** Decodes the entries one at a time, in path order; throws BaselineFormatError on any fault. */
  forEachEntry(visit: (entry: Entry) => void): void;
}

function unpackSequence(body: Buffer, visit: (value: unknown, end: number) => boolean): void {
  try {
    packr.unpackMultiple(body, (value: unknown, _start?: number, end?: number) => visit(value, end ?? body.length));
  } catch (err) {
    if (err instanceof BaselineFormatError) throw err;
    // The decoder's message may quote the damaged data: keep it to one short, printable line.
    const reason = String((err as Error).message).replace(/[^\x20-\x7e]+/g, '?').slice(0, 120);
    throw new BaselineFormatError(`baseline body cannot be decoded: ${reason}`);
  }
}

export function readBody(body: Buffer): BaselineReader {
  const head: unknown[] = [];
  let entriesAt = body.length;
  if (body.length === 0) throw new BaselineFormatError('baseline body is empty');
  unpackSequence(body, (value, end) => {
    head.push(value);
    entriesAt = end;
    return head.length < 3;
  });
  if (head.length !== 3) throw new BaselineFormatError('baseline body is not header, packages, count, entries');
  const [rawHeader, rawPackages, count] = head;
  const header = checkHeader(rawHeader);
  const packages = unpackPackages(rawPackages);
  if (!isNumber(count) || !Number.isInteger(count) || count < 0) throw new BaselineFormatError('baseline entry count is malformed');
  const rest = body.subarray(entriesAt);
  return {
    header,
    packages,
    count,
    forEachEntry(visit) {
      const unpacker = new EntryUnpacker();
      let seen = 0;
      if (rest.length > 0) {
        unpackSequence(rest, (value) => {
          if (++seen > count) throw new BaselineFormatError(`baseline has more entries than its count ${count}`);
          visit(unpacker.next(value));
          return true;
        });
      }
      if (seen !== count) throw new BaselineFormatError(`baseline has ${seen} entries, its count says ${count}`);
    },
  };
}

export function decodeBody(body: Buffer): Baseline {
  const reader = readBody(body);
  const entries: Entry[] = [];
  reader.forEachEntry((e) => entries.push(e));
  return { header: reader.header, entries, packages: reader.packages };
}

function checkHeader(raw: unknown): BaselineHeader {
  const header = raw as BaselineHeader;
  // Every field is printed or parsed later: check its type here, where the error can say so.
  const texts = ['tool', 'host', 'created', 'root', 'policy', 'keyId'] as const;
  const pathList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((p) => isText(p) || p instanceof Uint8Array));
  if (
    typeof header !== 'object' || header === null || Array.isArray(header) || !isNumber(header.format) ||
    texts.some((k) => !isText(header[k])) || !Array.isArray(header.attrs) || !header.attrs.every(isText) ||
    !pathList(header.unlisted) ||
    (header.growing !== undefined && (!Array.isArray(header.growing) ||
      !(header.growing as unknown[]).every((g) => Array.isArray(g) && g.length === 2 && (g[0] instanceof Uint8Array) && isNumber(g[1])))) ||
    (header.notWalked !== undefined && (!Array.isArray(header.notWalked) ||
      !(header.notWalked as unknown[]).every((g) => Array.isArray(g) && g.length === 2 && (g[0] instanceof Uint8Array) && isText(g[1]))))
  ) {
    throw new BaselineFormatError('baseline header is malformed');
  }
  if (header.history !== undefined && !validHistory(header.history)) throw new BaselineFormatError('baseline history is malformed');
  const text = (p: unknown) => (typeof p === 'string' ? p : Buffer.from(p as Uint8Array).toString('latin1'));
  header.unlisted = (header.unlisted ?? []).map(text);
  header.growing = (header.growing ?? []).map(([p, size]) => [text(p), size]);
  if (header.notWalked) header.notWalked = header.notWalked.map(([p, why]) => [text(p), why]);
  return header;
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

/** Header with BytePath lists as binary, so non-UTF-8 names keep their bytes. */
export function packHeader(h: BaselineHeader): BaselineHeader {
  const bytes = (p: string) => Buffer.from(p, 'latin1');
  return {
    ...h,
    unlisted: h.unlisted.map(bytes) as unknown as string[],
    growing: (h.growing ?? []).map(([p, size]) => [bytes(p), size]) as unknown as Array<[string, number]>,
    // Only when there are some: a baseline that walked every include keeps the bytes it always had.
    ...(h.notWalked?.length ? { notWalked: h.notWalked.map(([p, why]) => [bytes(p), why]) as unknown as Array<[string, string]> } : {}),
  };
}
