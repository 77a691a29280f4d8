/**
 * Listing one directory with its children's lstat. The native port does it on
 * one opened descriptor; any other port composes readdir and lstat and then
 * checks that the directory is still the one the walk lstat-ed.
 */
import type { BytePath } from '../types.js';
import { bytePath, childPath, fsPathScratch } from '../paths.js';
import { errorCode, type DirectoryListing, type FsPort } from './fsport.js';
import type { StatRecord } from '../native-stat.js';

export function listDirectory(port: FsPort, root: string, path: BytePath, dev: number, ino: number): DirectoryListing | string {
  if (port.readDirectory) return port.readDirectory(fsPathScratch(root, path), dev, ino, root === '/' ? 0 : root.length);
  let raw: Buffer[];
  try {
    raw = port.readdir(fsPathScratch(root, path));
  } catch (err) {
    return errorCode(err);
  }
  const paths = raw.map((name) => childPath(path, bytePath(name)));
  const stats = paths.map((child): StatRecord | string => {
    try {
      return port.lstat(fsPathScratch(root, child));
    } catch (err) {
      return errorCode(err);
    }
  });
  // readdir and the children's lstat follow a symlink swapped in for the
  // directory since its lstat: what they saw lies elsewhere, so none of it counts.
  try {
    const now = port.lstat(fsPathScratch(root, path));
    if (now.kind !== 'dir' || now.dev !== dev || now.ino !== ino) return 'SWAPPED';
  } catch (err) {
    return errorCode(err);
  }
  return { paths, stats };
}
