/** Entries as a scan's walk and hash worker leave them with xxh64 deferred (snapshot/deferred.ts), for its tests. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Entry } from '../../src/types.js';
import type { DeferredDigests } from '../../src/snapshot/deferred.js';

/** What a file recording sha256 and xxh64 leaves for the scan. */
export const SHA256_LEFT_XXH64: DeferredDigests = { hashed: ['sha256'], deferred: ['xxh64'] };

export const sha256sum = (file: string) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;

/** The file written under root, its entry with the sha256 read and xxh64 deferred, and a baseline entry of other content. */
export function walkedWithDeferred(root: string, rel: string, content: string): { now: Entry; old: Entry } {
  const full = path.join(root, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  const st = fs.lstatSync(full);
  const now: Entry = { path: `/${rel}`, kind: 'file', attrs: { size: st.size, sha256: sha256sum(full), xxh64: null } };
  const old: Entry = { path: `/${rel}`, kind: 'file', attrs: { size: st.size, sha256: '00'.repeat(32), xxh64: '0000000000000000' } };
  return { now, old };
}
