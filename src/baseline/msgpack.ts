/**
 * The only importer of msgpackr, and the type checks every decoded value goes
 * through. Fixed encoder options: the same values always give the same bytes.
 */
import { Packr } from 'msgpackr';
import type { AttrValue } from '../types.js';

export const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false, variableMapSize: true });

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * Only the shapes an AttrValue can have: a 64-bit integer decodes as a BigInt,
 * and a BigInt or a nested object would break compare and the reporters later.
 */
export function isAttrValue(v: unknown): v is AttrValue {
  if (v === null || isText(v) || isNumber(v) || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isNumber);
  return isTextRecord(v);
}

export function isTextRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.values(v).every(isText);
}
