/** Loads the captured tool outputs in test/fixtures/pkg as raw bytes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/pkg/${name}`, import.meta.url)));
}

/** The Latin-1 name used in the fixtures, as a BytePath (one char per byte). */
export const CAFE = Buffer.from('caf\xe9', 'latin1').toString('latin1');

/** Only the fields the tool printed, for exact comparisons. */
export function printed(f: { path: string; status: string; flags?: string; marker?: string; note?: string }) {
  return { path: f.path, status: f.status, flags: f.flags, marker: f.marker, note: f.note };
}
