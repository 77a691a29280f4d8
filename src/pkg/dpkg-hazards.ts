/**
 * Packaged files that would stop `dpkg --verify`: it opens every file with a
 * recorded md5 and reads it to the end, following symlinks the way the kernel
 * does for ROOT/path. A FIFO or a character device (a link to /dev/zero) makes
 * it hang forever; a directory makes it abort, leaving every later package
 * unverified. stat() here resolves exactly as dpkg's open() will.
 */
import { statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath, Finding, PackageData } from '../types.js';
import { byBytes } from './db-digests.js';
import { inRoot } from './root-path.js';

export interface VerifyHazard {
  path: BytePath;
  pkg: string;
  /** What the path is now: fifo, dir, chardev, blockdev, socket. */
  kind: string;
}

/**
 * stat() calls between two turns of the event loop. Synchronous: this runs
 * beside the walk, and a promise per stat waited a walk step each (on Debian's
 * 112k packaged files, 3 s before dpkg --verify could start).
 */
const BATCH = 2048;

export async function findVerifyHazards(root: string, owners: PackageData): Promise<VerifyHazard[]> {
  const checked = Object.entries(owners.files).filter(([, f]) => f.digest !== undefined);
  const hazards: VerifyHazard[] = [];
  for (let i = 0; i < checked.length; i++) {
    if (i > 0 && i % BATCH === 0) await nextTurn();
    const [path, f] = checked[i]!;
    const kind = kindOf(inRoot(root, path));
    if (kind !== undefined) hazards.push({ path, pkg: f.pkg, kind });
  }
  return hazards.sort((a, b) => byBytes(a.path, b.path));
}

/** undefined when dpkg can read the path safely (a regular file) or will report it missing. */
function kindOf(path: Buffer): string | undefined {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (st === undefined || st.isFile()) return undefined;
  if (st.isFIFO()) return 'fifo';
  if (st.isDirectory()) return 'dir';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  if (st.isSocket()) return 'socket';
  return 'unknown';
}

/**
 * Findings for hazards, in dpkg's own layout: only the md5 column is tested,
 * and a FIFO or directory cannot have the recorded content.
 */
export function hazardFindings(hazards: VerifyHazard[], conffiles: Map<BytePath, unknown>): Finding[] {
  return hazards.map((h) => ({
    path: h.path,
    status: 'changed',
    source: 'dpkg',
    flags: '??5??????',
    marker: conffiles.has(h.path) ? 'c' : ' ',
    package: h.pkg,
    note: `(not a regular file: ${h.kind}; checked by driftscan, not dpkg, which would ${h.kind === 'dir' ? 'abort' : 'hang'})`,
    deltas: [],
    extra: [],
    untested: {},
  }));
}
