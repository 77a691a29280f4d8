/**
 * Reading a baseline file as a stream: one pass hashes it and checks the
 * signature before a byte of it is decoded; the entries are then decoded a
 * chunk at a time, in order, so a baseline of ten million entries (a
 * gigabyte) is never held. A file that can change under the reader (a file
 * descriptor, not bytes in memory) is hashed again as the entries go by, and
 * the last one is followed by a check that the digest is still the signed one.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import type { BaselineHeader, Entry, PackageData } from '../types.js';
import { BaselineFormatError, SignatureError } from '../errors.js';
import { checkFront, checkTrailer, decodeError, joinHeader, unpackValues } from './codec.js';
import { unpackPackages } from './codec-packages.js';
import { CHUNK, FORMAT_VERSION, MAGIC, PREFIX_BYTES, SIGNATURE_BYTES, SIGNED_LABEL, TAIL_BYTES } from './format.js';
import { packr } from './msgpack.js';
import type { ByteSource } from './source.js';
import { EntryCursor, type Layout } from './cursor.js';

/** A verified baseline: its header and package data checked (package-rows.ts decodes its big sections on first read), its entries ready to be read in order. */
export interface BaselineReader {
  header: BaselineHeader;
  packages?: PackageData;
  count: number;
  /** Bytes of the regular files it records. */
  bytes: number;
  /** sha256 of the whole file: what a report names it by. */
  digest: string;
  /** The entries, decoded one at a time in path order; throws BaselineFormatError on any fault. */
  cursor(): EntryCursor;
  forEachEntry(visit: (entry: Entry) => void): void;
}


export function openSource(src: ByteSource, publicKey: KeyObject | undefined, skipVerify: boolean): BaselineReader {
  const size = src.size;
  const prefix = src.read(0, Math.min(size, PREFIX_BYTES));
  if (size < MAGIC.length || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) throw new BaselineFormatError('not a driftscan baseline (bad magic)');
  if (size < PREFIX_BYTES + TAIL_BYTES + SIGNATURE_BYTES) throw new BaselineFormatError('baseline is truncated');
  const version = prefix.readUInt16BE(8);
  if (version !== FORMAT_VERSION) {
    throw new BaselineFormatError(`baseline format version ${version} is not supported (this driftscan reads ${FORMAT_VERSION})`);
  }
  if (prefix.readUInt16BE(10) !== 0 || prefix.readUInt32BE(12) !== 0) throw new BaselineFormatError('baseline header has unknown flags');
  const signedEnd = size - SIGNATURE_BYTES;
  const tail = src.read(signedEnd - TAIL_BYTES, TAIL_BYTES);
  const bodyLength = tail.readBigUInt64BE(0);
  const expected = BigInt(PREFIX_BYTES + TAIL_BYTES + SIGNATURE_BYTES) + bodyLength;
  if (expected !== BigInt(size)) {
    throw new BaselineFormatError(`baseline is truncated or has unexpected bytes after the signature (its frame says ${expected} bytes, the file has ${size})`);
  }
  const bodyEnd = signedEnd - TAIL_BYTES;
  const endBig = tail.readBigUInt64BE(8);
  const end = endBig >= BigInt(PREFIX_BYTES) && endBig < BigInt(bodyEnd) ? Number(endBig) : -1;

  // One pass: both digests, and the bytes of the header and the trailer kept for after the check.
  const sha512 = createHash('sha512');
  const sha256 = createHash('sha256');
  let front = Buffer.alloc(0);
  const after = end < 0 ? undefined : Buffer.allocUnsafe(signedEnd - end);
  for (let pos = 0; pos < signedEnd; pos += CHUNK) {
    const chunk = src.read(pos, Math.min(CHUNK, signedEnd - pos));
    sha512.update(chunk);
    sha256.update(chunk);
    if (pos === 0) front = Buffer.from(chunk);
    if (after && pos + chunk.length > end) chunk.copy(after, Math.max(0, pos - end), Math.max(0, end - pos));
  }
  const signature = src.read(signedEnd, SIGNATURE_BYTES);
  sha256.update(signature);
  const digest = sha512.digest();
  if (!skipVerify && !verify(null, Buffer.concat([SIGNED_LABEL, digest]), publicKey!, signature)) {
    throw new SignatureError('baseline signature does not verify with this public key (tampered, or signed with another key)');
  }
  if (!after) throw new BaselineFormatError('baseline entries end outside its body');

  const { value: rawFront, at: entriesAt, bytes: headerBytes } = firstValue(src, front, bodyEnd);
  const frontHeader = checkFront(rawFront);
  if (entriesAt > end) throw new BaselineFormatError('baseline header runs past the end of its entries');
  // The entries' end and the trailer through msgpack; the package data, the bulk of it, from its bytes.
  const rest: unknown[] = [];
  let used = 0;
  const tailBytes = after.subarray(0, bodyEnd - end);
  unpackValues(tailBytes, (v, at) => {
    rest.push(v);
    used = at;
    return rest.length < 2;
  });
  if (rest.length !== 2 || used >= tailBytes.length || rest[0] !== null) {
    throw new BaselineFormatError('baseline body does not end with its entries\' end, trailer and package data');
  }
  const trailer = checkTrailer(rest[1]);
  const packages = unpackPackages(tailBytes.subarray(used));
  // The bytes the header was decoded from start the second pass's hash: a header longer than the
  // first chunk was read again after the check, and other bytes there must fail it too.
  const head = Buffer.concat([front.subarray(0, PREFIX_BYTES), headerBytes]);
  if (entriesAt > front.length && !src.stable) checkReread(src, head, digest);
  const wholeSha256 = sha256.digest();
  const layout: Layout = { src, entriesAt, end, count: trailer.count, sha256: wholeSha256, head };
  return {
    header: joinHeader(frontHeader, trailer),
    packages,
    count: trailer.count,
    bytes: trailer.bytes,
    digest: wholeSha256.toString('hex'),
    cursor: () => new EntryCursor(layout),
    forEachEntry(visit) {
      const cursor = new EntryCursor(layout);
      for (let e = cursor.next(); e; e = cursor.next()) visit(e);
    },
  };
}

/**
 * A header longer than the first chunk was read again after the check (a
 * policy of a MiB): the file is hashed once more from those bytes before the
 * header is used (show --header prints it without reading the entries).
 */
function checkReread(src: ByteSource, head: Buffer, sha512: Buffer): void {
  const again = createHash('sha512').update(head);
  const signedEnd = src.size - SIGNATURE_BYTES;
  for (let pos = head.length; pos < signedEnd; pos += CHUNK) again.update(src.read(pos, Math.min(CHUNK, signedEnd - pos)));
  if (!again.digest().equals(sha512)) throw new BaselineFormatError('baseline changed while it was read (its header is not the one verified)');
}

/** The header: the first value of the body, read further than the first chunk if it must be. */
function firstValue(src: ByteSource, front: Buffer, bodyEnd: number): { value: unknown; at: number; bytes: Buffer } {
  for (let length = front.length; ; length = Math.min(bodyEnd, length * 4)) {
    const bytes = length <= front.length ? front.subarray(PREFIX_BYTES, length) : src.read(PREFIX_BYTES, length - PREFIX_BYTES);
    let value: unknown;
    let at = 0;
    try {
      packr.unpackMultiple(bytes, (v: unknown, _start?: number, e?: number) => {
        value = v;
        at = e ?? bytes.length;
        return false;
      });
    } catch (err) {
      if ((err as { incomplete?: boolean }).incomplete && length < bodyEnd) continue;
      throw decodeError(err);
    }
    return { value, at: PREFIX_BYTES + at, bytes: bytes.subarray(0, at) };
  }
}
