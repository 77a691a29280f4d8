/**
 * Opening a baseline file: read, verify the signature over the raw bytes,
 * then decode. Serves scan, verify and show alike.
 */
import type { KeyObject } from 'node:crypto';
import type { Baseline } from '../types.js';
import { openSealed, openSealedReader } from './sealed.js';
import { readBaselineFile } from './store.js';
import { SIGNATURE_BYTES } from './format.js';
import type { BaselineReader } from './codec.js';
import { BaselineFormatError } from '../errors.js';
import fs from 'node:fs';
import { fileDigest } from './entry-state.js';

export function loadBaseline(file: string, publicKey: KeyObject | undefined, skipVerify = false): Baseline {
  return openSealed(readBaselineFile(file), publicKey, skipVerify);
}

export interface OpenedBaseline {
  reader: BaselineReader;
  /** To check that a second read is the same file. */
  signature: Buffer;
  /** A pipe (`scan <(...)`) cannot be read twice: its bytes are kept instead. */
  kept?: Buffer;
  /** sha256 of the file's bytes: a report names its baseline by it. */
  digest: string;
}

function isPipe(file: string): boolean {
  try {
    return fs.statSync(file).isFIFO();
  } catch {
    return false;
  }
}

/** A verified baseline's reader, and its signature. */
export function openBaselineReader(file: string, publicKey: KeyObject | undefined, skipVerify = false): OpenedBaseline {
  const bytes = readBaselineFile(file);
  const reader = openSealedReader(bytes, publicKey, skipVerify);
  const signature = Buffer.from(bytes.subarray(bytes.length - SIGNATURE_BYTES));
  const digest = fileDigest(bytes);
  return isPipe(file) ? { reader, signature, kept: bytes, digest } : { reader, signature, digest };
}

/**
 * The baseline's entries, read a second time after the walk so that the walk
 * does not hold the file beside the snapshot (117 MB for a million entries).
 * The bytes must be the ones first verified: Ed25519 signatures are
 * deterministic, so an identical, valid signature means an identical file.
 */
export function reopenBaseline(file: string, first: OpenedBaseline, publicKey: KeyObject | undefined, skipVerify = false): BaselineReader {
  const { signature } = first;
  const bytes = first.kept ?? readBaselineFile(file);
  if (bytes.length < SIGNATURE_BYTES || !bytes.subarray(bytes.length - SIGNATURE_BYTES).equals(signature)) {
    throw new BaselineFormatError(`baseline ${file} changed during the scan`);
  }
  return openSealedReader(bytes, publicKey, skipVerify);
}
