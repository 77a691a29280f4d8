/**
 * What the CI and SIEM formats share: which findings are shown as problems,
 * each finding's class (status, and whether a package tool or the walk found
 * it), and a fingerprint that stays the same from scan to scan.
 */
import { createHash } from 'node:crypto';
import type { Finding, FindingStatus } from '../types.js';
import { isExplainedChange } from './summary.js';

export const STATUSES: readonly FindingStatus[] = ['changed', 'missing', 'added', 'untested'];

/** A finding the report counts against the host: neither explained by a package operation nor preexisting. */
export function isUnexplained(f: Finding): boolean {
  return !isExplainedChange(f) && f.triage !== 'preexisting';
}

/** `changed` for the walk's findings, `package-changed` for rpm's or dpkg's. */
export function findingClass(f: Finding): string {
  return f.source === 'baseline' ? f.status : `package-${f.status}`;
}

export const FINDING_CLASSES: readonly string[] = [...STATUSES, ...STATUSES.map((s) => `package-${s}`)];

/**
 * sha256 over the path's bytes, the status, the source and the flags: never
 * a time, an inode or a count, so the same drift gets the same fingerprint in
 * every scan until it changes shape (a code-scanning view keeps it one alert).
 */
export function fingerprint(f: Finding): string {
  const h = createHash('sha256');
  for (const part of [Buffer.from(f.path, 'latin1'), f.status, f.source, f.flags ?? '']) {
    h.update(part);
    h.update('\0');
  }
  return h.digest('hex');
}

/** A file URI of the path's bytes: every byte outside RFC 3986's unreserved set and '/' percent-encoded. */
export function fileUri(path: string): string {
  let out = 'file://';
  for (const byte of Buffer.from(path, 'latin1')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~/]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
