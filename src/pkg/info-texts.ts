/**
 * dpkg's info files as read once for a scan: the owner data (dpkg-db.ts) and
 * driftscan's own verify (dpkg-verify-plan.ts) both need every file list and
 * md5sums file (32 MB on a desktop Debian); read and parsed once
 * (dpkg-info-rows.ts), the verify sees the very rows the owners came from.
 * Kept only between a scan's package read and its verify, then dropped.
 */
import type { BytePath, PackageData } from '../types.js';
import type { InfoRows } from './dpkg-info-rows.js';

/** Root-relative path -> the file's rows (undefined: the file did not exist). */
export type InfoTexts = Map<BytePath, InfoRows | undefined>;

const kept = new WeakMap<PackageData, InfoTexts>();

export function keepTexts(data: PackageData, texts: InfoTexts): void {
  kept.set(data, texts);
}

/** The rows read with this package data, handed over once. */
export function takeTexts(data: PackageData): InfoTexts | undefined {
  const texts = kept.get(data);
  kept.delete(data);
  return texts;
}
