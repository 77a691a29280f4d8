/**
 * Owner and group names from the scanned root's own /etc/passwd and /etc/group,
 * never the scanning host's: a mounted disk's uid 1000 is not ours.
 */
import type { FsPort } from './fsport.js';
import { fsPath } from '../paths.js';

export interface IdNames {
  users: Map<number, string>;
  groups: Map<number, string>;
}

function parseIdFile(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    const n = Number(id);
    if (!out.has(n)) out.set(n, name);
  }
  return out;
}

function readIdFile(port: FsPort, root: string, path: string): Map<number, string> {
  try {
    return parseIdFile(port.readSmallFile(fsPath(root, path)).toString('utf8'));
  } catch {
    // No names is honest: owners are then compared by id alone.
    return new Map();
  }
}

export function readIdNames(port: FsPort, root: string): IdNames {
  return {
    users: readIdFile(port, root, '/etc/passwd'),
    groups: readIdFile(port, root, '/etc/group'),
  };
}
