/**
 * Sealing and opening the baseline file: framing and the Ed25519 signature.
 * `open` checks the frame and the signature over the raw bytes before a
 * single byte of the body is decoded.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { BaselineFormatError, SignatureError } from '../errors.js';
import type { Baseline } from '../types.js';
import { decodeBody, encodeBody, readBody, type BaselineReader } from './codec.js';
import { FORMAT_VERSION, MAGIC, PREFIX_BYTES, SIGNATURE_BYTES } from './format.js';

/** A byte buffer that grows as pieces are appended (by half again, so rarely). */
class FileImage {
  private buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  append(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.length + bytes.length, Math.ceil(this.buf.length * 1.5)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** About what an entry takes on disk (114-117 bytes measured), so the image rarely grows. */
const BYTES_PER_ENTRY_GUESS = 128;

export function seal(baseline: Baseline, privateKey: KeyObject): Buffer {
  const image = new FileImage(PREFIX_BYTES + SIGNATURE_BYTES + 64 * 1024 + baseline.entries.length * BYTES_PER_ENTRY_GUESS);
  image.append(Buffer.alloc(PREFIX_BYTES));
  encodeBody(baseline, (bytes) => image.append(bytes));
  const bodyLength = image.length - PREFIX_BYTES;
  image.append(Buffer.alloc(SIGNATURE_BYTES));
  const file = image.bytes();
  MAGIC.copy(file, 0);
  file.writeUInt16BE(FORMAT_VERSION, 8);
  file.writeUInt16BE(0, 10);
  file.writeUInt32BE(bodyLength, 12);
  const signed = file.subarray(0, PREFIX_BYTES + bodyLength);
  sign(null, signed, privateKey).copy(file, PREFIX_BYTES + bodyLength);
  return file;
}

/** Checks the frame; returns the signed part and the signature. */
export function unframe(file: Buffer): { signed: Buffer; signature: Buffer; body: Buffer } {
  if (file.length < MAGIC.length || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BaselineFormatError('not a driftscan baseline (bad magic)');
  }
  if (file.length < PREFIX_BYTES + SIGNATURE_BYTES) throw new BaselineFormatError('baseline is truncated');
  const version = file.readUInt16BE(8);
  if (version !== FORMAT_VERSION) {
    throw new BaselineFormatError(`baseline format version ${version} is not supported (this driftscan reads ${FORMAT_VERSION})`);
  }
  if (file.readUInt16BE(10) !== 0) throw new BaselineFormatError('baseline header has unknown flags');
  const length = file.readUInt32BE(12);
  const expected = PREFIX_BYTES + length + SIGNATURE_BYTES;
  if (file.length < expected) throw new BaselineFormatError(`baseline is truncated (${file.length} of ${expected} bytes)`);
  if (file.length > expected) throw new BaselineFormatError(`baseline has ${file.length - expected} unexpected bytes after the signature`);
  const signed = file.subarray(0, PREFIX_BYTES + length);
  return { signed, signature: file.subarray(PREFIX_BYTES + length), body: file.subarray(PREFIX_BYTES, PREFIX_BYTES + length) };
}

export function checkSignature(file: Buffer, publicKey: KeyObject): Buffer {
  const { signed, signature, body } = unframe(file);
  if (!verify(null, signed, publicKey, signature)) {
    throw new SignatureError('baseline signature does not verify with this public key (tampered, or signed with another key)');
  }
  return body;
}

/** The body, once the signature holds; `skipVerify` is for the CLI's loud --no-verify only. */
function verifiedBody(file: Buffer, publicKey: KeyObject | undefined, skipVerify: boolean): Buffer {
  return skipVerify ? unframe(file).body : checkSignature(file, publicKey!);
}

/** Verifies, then decodes the header and readies the entries to be read one at a time. */
export function openSealedReader(file: Buffer, publicKey: KeyObject | undefined, skipVerify = false): BaselineReader {
  return readBody(verifiedBody(file, publicKey, skipVerify));
}

/** Verifies, then decodes everything. */
export function openSealed(file: Buffer, publicKey: KeyObject | undefined, skipVerify = false): Baseline {
  return decodeBody(verifiedBody(file, publicKey, skipVerify));
}
