/**
 * The state of one path as a digest: sha256 of its entry encoded exactly as a
 * baseline stores it (kind, attributes, what could not be read, the policy's
 * marks). A scan report records it for every finding; `update` walks again
 * and takes a path only while its state is still the one the report showed.
 */
import { createHash } from 'node:crypto';
import type { Entry } from '../types.js';
import { packEntries } from './codec-entries.js';

/** Room to start with for one entry's bytes (it grows for a larger one). */
const ONE_ENTRY_BYTES = 4096;

export function entryState(e: Entry): string {
  const hash = createHash('sha256');
  // Without the scan-side prefix digests: they are not part of what a baseline records.
  const stored: Entry = { path: e.path, kind: e.kind, attrs: e.attrs, untested: e.untested, config: e.config, growing: e.growing };
  packEntries([stored], (bytes) => hash.update(bytes), ONE_ENTRY_BYTES);
  return hash.digest('hex');
}

/** sha256 of a whole baseline file: what a report and a later baseline name it by. */
export function fileDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
