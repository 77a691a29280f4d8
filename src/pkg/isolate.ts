/**
 * Runs a package tool against a read-only, noatime view of the scanned root:
 * rpm and dpkg otherwise update atimes in it (and rpm rewrites its sqlite
 * -shm/-wal files), and a root mounted read-only could not be checked at all.
 * The view lives in a private mount namespace (`unshare -m`, as root; with a
 * user namespace otherwise), so nothing changes for the rest of the host.
 * When the view cannot be made, the tool is not run against the live tree:
 * the run fails with one reason (the package half is then not done).
 */
import { existsSync, rmdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PackageToolError } from '../errors.js';
import type { BytePath } from '../types.js';
import { rootArg } from '../paths.js';
import { runTool, TOOLS, type RunOptions, type RunResult } from './run.js';
import { makeScratch } from './scratch.js';

/** isolate-helper.ts exits with this, after one line starting with the prefix, when it could not build the view. */
const ISOLATE_FAILED = 125;
const ISOLATE_PREFIX = 'driftscan-isolate:';

export interface IsolatedRun extends RunOptions {
  program: string;
  /** The tool's arguments, given the view's path (where the root appears). */
  args: (view: string) => string[];
  /** Writable host directories laid over in-root paths (symlink-free, resolved in the root). */
  binds?: Array<{ from: string; over: BytePath }>;
}

/** The compiled helper; when running from src (tests), the built copy in dist. */
function helperPath(): string {
  const here = fileURLToPath(new URL('./isolate-helper.js', import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL('../../dist/pkg/isolate-helper.js', import.meta.url));
}

export async function runInRootView(root: string, run: IsolatedRun): Promise<RunResult> {
  let view: string;
  try {
    view = makeScratch(root, 'driftscan-view-');
  } catch (e) {
    throw new PackageToolError(`cannot run ${run.program}: ${(e as Error).message}`);
  }
  try {
    const spec = {
      root: rootArg(root),
      view,
      binds: (run.binds ?? []).map((b) => [b.from, b.over]),
      argv: [run.program, ...run.args(view)],
    };
    // Not root: a user namespace owns the mount namespace (where the system allows one).
    const ns = process.geteuid?.() === 0 ? ['-m'] : ['-U', '-r', '-m'];
    const r = await runTool(
      TOOLS.unshare,
      [...ns, '--propagation', 'private', process.execPath, helperPath(), JSON.stringify(spec)],
      run,
    );
    const stderr = r.stderr.toString('latin1');
    const failed = stderr.split('\n').find((l) => l.startsWith(ISOLATE_PREFIX) || l.startsWith('unshare:'));
    if ((r.code === ISOLATE_FAILED || (r.code !== 0 && stderr.startsWith('unshare:'))) && failed) {
      throw new PackageToolError(
        `cannot make a private read-only view of ${spec.root} to run ${run.program} in ` +
          `(${failed.replace(ISOLATE_PREFIX, '').trim()}); not running it against the live tree`,
      );
    }
    return r;
  } finally {
    // The view was mounted only inside the namespace, which ended with the tool: the directory is empty.
    try {
      rmdirSync(view);
    } catch {
      // Left behind in the temp directory: harmless, and nothing to report the run for.
    }
  }
}
