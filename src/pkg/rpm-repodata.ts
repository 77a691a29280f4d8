/**
 * What the root's configured rpm repositories offer, from the metadata dnf
 * and yum keep in their caches: repodata/*primary.xml.gz (or uncompressed).
 * Package name -> versions as rpm prints %{EVR} (epoch only when not 0), of
 * the names asked about only.
 * zstd or xz metadata (Fedora 39+) is not read: Node 20 has no decoder, and
 * then the origin stays "not checked", never "offered".
 */
import { gunzipSync } from 'node:zlib';
import type { BytePath } from '../types.js';
import type { OfferedVersions } from './apt-lists.js';
import { listQuiet, MAX_READ_WHOLE, readQuiet } from './quiet-fs.js';
import { locateInRoot } from './resolve-in-root.js';
import { inRoot } from '../paths.js';

const CACHES = ['/var/cache/dnf', '/var/cache/libdnf5', '/var/cache/yum'];
/** yum nests repositories under arch and release: /var/cache/yum/x86_64/9/REPO/repodata. */
const MAX_DEPTH = 4;
const PRIMARY = /primary\.xml(\.gz)?$/;
const PACKAGE = /<package\b[^>]*>[\s\S]*?<name>([^<]*)<\/name>[\s\S]*?<version\s+epoch="([^"]*)"\s+ver="([^"]*)"\s+rel="([^"]*)"/g;

/** Adds the versions `xml` offers of the `wanted` package names (every name when undefined). */
export function parsePrimaryXml(xml: string, wanted?: ReadonlySet<string>, into: OfferedVersions = new Map()): OfferedVersions {
  // A name the file never holds as <name>NAME</name> cannot be captured below: most files need no matching at all.
  if (wanted && ![...wanted].some((n) => xml.includes(`<name>${n}</name>`))) return into;
  for (const m of xml.matchAll(PACKAGE)) {
    const [, name, epoch, ver, rel] = m as unknown as [string, string, string, string, string];
    if (wanted && !wanted.has(name)) continue;
    const set = into.get(name) ?? new Set<string>();
    set.add(`${epoch && epoch !== '0' ? `${epoch}:` : ''}${ver}-${rel}`);
    into.set(name, set);
  }
  return into;
}

function dirIn(root: string, path: BytePath): BytePath | undefined {
  try {
    return locateInRoot(root, path, 'dir');
  } catch {
    return undefined;
  }
}

function primaryFiles(root: string, dir: BytePath, depth: number, out: BytePath[]): void {
  let names: string[];
  try {
    names = listQuiet(inRoot(root, dir)).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = `${dir}/${name}`;
    if (PRIMARY.test(name)) out.push(path);
    else if (depth < MAX_DEPTH && dirIn(root, path) === path) primaryFiles(root, path, depth + 1, out);
  }
}

/**
 * The versions dnf/yum metadata in the root offers of the `wanted` package
 * names; undefined when the root keeps none that can be read, or no name is
 * wanted (then nothing is read).
 */
export function readRpmRepodata(root: string, wanted: ReadonlySet<string>): OfferedVersions | undefined {
  if (wanted.size === 0) return undefined;
  const files: BytePath[] = [];
  for (const cache of CACHES) {
    const dir = dirIn(root, cache);
    if (dir) primaryFiles(root, dir, 0, files);
  }
  let offered: OfferedVersions | undefined;
  for (const file of files) {
    try {
      const raw = readQuiet(inRoot(root, file));
      const xml = file.endsWith('.gz') ? gunzipSync(raw, { maxOutputLength: MAX_READ_WHOLE }) : raw;
      offered = parsePrimaryXml(xml.toString('utf8'), wanted, offered ?? new Map());
    } catch {
      // unreadable, too large, not gzip: offers nothing
    }
  }
  return offered;
}
