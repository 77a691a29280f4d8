/**
 * dpkg's info files as read once for a scan: the owner data (dpkg-db.ts) and
 * driftscan's own verify (dpkg-verify-plan.ts) both need every file list and
 * md5sums file (32 MB on a desktop Debian); read once, the verify sees the very
 * texts the owners came from. Kept only between a scan's package read and its
 * verify, then dropped.
 */
import type { BytePath, PackageData } from '../types.js';

/** Root-relative path -> latin1 text (undefined: the file did not exist). */
export type InfoTexts = Map<BytePath, string | undefined>;

const kept = new WeakMap<PackageData, InfoTexts>();

export function keepTexts(data: PackageData, texts: InfoTexts): void {
  kept.set(data, texts);
}

/** The texts read with this package data, handed over once. */
export function takeTexts(data: PackageData): InfoTexts | undefined {
  const texts = kept.get(data);
  kept.delete(data);
  return texts;
}
