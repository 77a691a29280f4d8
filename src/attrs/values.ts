import type { AttrValue } from '../types.js';

/** Structural equality of two attribute values (arrays, records, scalars). */
export function sameValue(a: AttrValue | undefined, b: AttrValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => v === b[i]);
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, string>;
  return ka.every((k) => (a as Record<string, string>)[k] === rb[k]);
}

/** ISO-like UTC time with nanoseconds: 2026-11-28T17:47:57.123456789Z. */
export function formatTime(v: AttrValue): string {
  if (!Array.isArray(v)) return String(v);
  const [sec, nsec] = v as number[];
  const iso = new Date(sec! * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${iso}.${String(nsec).padStart(9, '0')}Z`;
}

/**
 * Two timestamps are equal when seconds match and nanoseconds match, or one side
 * has none (a copy onto a filesystem that keeps only seconds is not a change).
 */
export function sameTime(a: AttrValue, b: AttrValue): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return sameValue(a, b);
  if (a[0] !== b[0]) return false;
  return a[1] === b[1] || a[1] === 0 || b[1] === 0;
}

export function formatOctal(v: AttrValue): string {
  return typeof v === 'number' ? v.toString(8).padStart(4, '0') : String(v);
}

/** An xattr value as text when it is printable, else hex. */
export function formatXattrValue(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  const trimmed = bytes.at(-1) === 0 ? bytes.subarray(0, -1) : bytes;
  if (trimmed.length > 0 && trimmed.every((b) => b >= 0x20 && b < 0x7f)) {
    return JSON.stringify(trimmed.toString('latin1'));
  }
  return '0x' + hex;
}
