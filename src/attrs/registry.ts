/**
 * What the rest of driftscan asks of the attribute table (table.ts): rows by
 * name and by on-disk code, the default set, the digest algorithms. All
 * derived, so that adding an attribute touches its row and its test only.
 */
import type { AttrValue, Entry } from '../types.js';
import { ATTRIBUTES, type AttrRow } from './table.js';

export * from './table.js';

const BY_NAME = new Map(ATTRIBUTES.map((row) => [row.name, row]));
const BY_CODE = new Map(ATTRIBUTES.map((row) => [row.code, row]));
if (BY_NAME.size !== ATTRIBUTES.length || BY_CODE.size !== ATTRIBUTES.length) {
  throw new Error('attribute table: every row needs its own name and its own code');
}

export function attrRow(name: string): AttrRow | undefined {
  return BY_NAME.get(name);
}

/** The row a baseline file's attribute code names. */
export function attrByCode(code: number): AttrRow | undefined {
  return BY_CODE.get(code);
}

export const ALL_ATTRS: readonly string[] = ATTRIBUTES.map((r) => r.name);

/** What a policy records unless told otherwise: every row but the opt-in ones. */
export const DEFAULT_ATTRS: readonly string[] = ATTRIBUTES.filter((r) => !r.optIn).map((r) => r.name);

/** The content digests, in table order (the first is the one a withheld file's marker carries when none was asked for). */
export const DIGEST_ROWS: readonly AttrRow[] = ATTRIBUTES.filter((r) => r.digest);

/** Value of a row on an entry. */
export function readAttr(row: AttrRow, entry: Entry): AttrValue | undefined {
  return row.read ? row.read(entry) : entry.attrs[row.name];
}
