/**
 * The md5 dpkg's verify needs, taken from the walk's own reads.
 *
 * Baseline: each walked file that a packaged path (with a digest) leads to
 * gets its md5 and sha256 in the one read the walk makes; they are recorded,
 * signed, in the baseline's package data (contentMd5). Until the package data
 * is read every file is asked for them (the walk starts first), after that
 * only packaged ones; what is recorded is the packaged ones.
 *
 * Scan: each walked file the baseline recorded is asked for its sha256 (the
 * digest the walk reads anyway); when it equals the recorded one the content
 * is the recorded content, so its md5 is the recorded md5. Anything else (a
 * changed file, one the walk did not reach, a newly packaged one) is read
 * again by the verify itself: nothing is assumed.
 *
 * A packaged path leads to a walked path through its directories' links
 * (merged /usr: /bin/ls is /usr/bin/ls), resolved inside the root. A final
 * link is not followed here: such a file is simply not known, and read.
 */
import { besideWalk } from '../beside-walk.js';
import type { BytePath, PackageData } from '../types.js';
import type { ExtraDigests } from '../snapshot/snapshot.js';
import { InRootResolver, throughDirectories } from './resolve-in-root.js';
import type { Md5Source } from './md5-source.js';
import { detectManagers } from './index.js';
import type { PackageChoice } from './package-data.js';
import { md5RowsOf, type Md5Rows } from '../baseline/package-rows.js';

const BOTH = ['md5', 'sha256'] as const;
const SHA256 = ['sha256'] as const;

/** The walked paths the digest-recorded packaged paths lead to (their directories resolved in the root). */
async function packagedWalkPaths(root: string, p: PackageData): Promise<Set<BytePath>> {
  const through = throughDirectories(new InRootResolver(root));
  const out = new Set<BytePath>();
  let n = 0;
  for (const [path, f] of Object.entries(p.files)) {
    if (f.digest === undefined) continue;
    if (++n % 2048 === 0) await besideWalk();
    const at = through(path);
    if (at !== undefined) out.add(at);
  }
  return out;
}

/** The baseline side: the walk's hook, and the package data with the md5s recorded. */
export class Md5Recorder {
  private wanted?: Set<BytePath>;
  private knowing?: Promise<void>;
  private readonly got = new Map<BytePath, { sha256: string; md5: string }>();

  constructor(private readonly root: string) {}

  readonly extraDigests: ExtraDigests = {
    algosFor: (path) => (this.wanted === undefined || this.wanted.has(path) ? BOTH : undefined),
    take: (path, d) => {
      if (d.md5 !== undefined && d.sha256 !== undefined && (this.wanted === undefined || this.wanted.has(path))) {
        this.got.set(path, { sha256: d.sha256, md5: d.md5 });
      }
    },
  };

  /** Called with the package data as soon as it is read: from then on only packaged files are asked for. */
  know(p: PackageData | undefined): void {
    this.knowing = (async () => {
      this.wanted = p?.manager === 'dpkg' ? await packagedWalkPaths(this.root, p) : new Set();
    })();
  }

  /** After the walk: the package data with what was recorded for its packaged files. */
  async record(p: PackageData | undefined): Promise<PackageData | undefined> {
    if (!this.knowing) this.know(p);
    await this.knowing;
    if (!p || p.manager !== 'dpkg' || this.wanted === undefined) return p;
    const contentMd5: NonNullable<PackageData['contentMd5']> = {};
    for (const [path, d] of this.got) if (this.wanted.has(path)) contentMd5[path] = d;
    return { ...p, contentMd5 };
  }
}

/** A recorder when the root's packages are dpkg's (or may be, for `auto`), else none. */
export function md5RecorderFor(root: string, choice: PackageChoice): Md5Recorder | undefined {
  if (choice !== 'dpkg' && (choice !== 'auto' || !detectManagers(root).includes('dpkg'))) return undefined;
  return new Md5Recorder(root);
}

/**
 * The scan side: the walk's hook asking recorded files for their sha256, and
 * the md5s that follow. `recorded`: the baseline's rows (recordedMd5Rows), or
 * its contentMd5 object. Each recorded path is looked up once in a map to its
 * row; the sha256s are compared as bytes, and an md5 is made text only when
 * the verify asks for it.
 */
export function walkMd5(recorded: PackageData['contentMd5'] | Md5Rows | undefined): { extraDigests?: ExtraDigests; source?: Md5Source & { walked(): void } } {
  if (!recorded) return {};
  const rows = isRows(recorded) ? recorded : md5RowsOf(recorded);
  if (rows.paths.length === 0) return {};
  const row = new Map<BytePath, number>();
  for (let i = 0; i < rows.paths.length; i++) row.set(rows.paths[i]!, i);
  // Rows whose file the walk read with the recorded sha256: its content is the recorded content.
  const same = new Uint8Array(rows.paths.length);
  const digest = Buffer.alloc(32);
  let walked!: () => void;
  const ready = new Promise<void>((resolve) => (walked = resolve));
  return {
    extraDigests: {
      algosFor: (path) => (row.has(path) ? SHA256 : undefined),
      take: (path, d) => {
        const i = row.get(path);
        if (i === undefined || d.sha256 === undefined || d.sha256.length !== 64) return;
        if (digest.write(d.sha256, 'hex') === 32 && rows.sha256.compare(digest, 0, 32, 32 * i, 32 * i + 32) === 0) same[i] = 1;
      },
    },
    source: {
      ready,
      walked,
      known: (path) => {
        const i = row.get(path);
        return i !== undefined && same[i] ? rows.md5.toString('hex', 16 * i, 16 * i + 16) : undefined;
      },
      // Not recorded: never known, so the verify need not wait for the walk to check it.
      covers: (path) => row.has(path),
    },
  };
}

function isRows(r: PackageData['contentMd5'] | Md5Rows): r is Md5Rows {
  return Array.isArray((r as Md5Rows).paths) && Buffer.isBuffer((r as Md5Rows).sha256);
}
