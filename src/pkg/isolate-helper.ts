/**
 * Runs inside a private mount namespace made by `unshare -m` (isolate.ts):
 * binds the scanned root at a temporary mount point, makes that view and every
 * mount below it read-only and noatime, lays private writable copies over it
 * where the tool must write (rpm's database), then runs the tool. Standalone:
 * Node built-ins only, started as its own program. Any failure ends with one
 * `driftscan-isolate:` line and status 125 before the tool is started, so the
 * tool never sees the live tree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Spec {
  root: string;
  view: string;
  /** [writable directory on the host, in-root path (symlink-free) it is laid over] */
  binds: Array<[string, string]>;
  argv: string[];
}

const ISOLATE_FAILED = 125; // isolate.ts knows these two; this file imports nothing of the project
const ISOLATE_PREFIX = 'driftscan-isolate:';

function fail(message: string): never {
  process.stderr.write(`${ISOLATE_PREFIX} ${message}\n`);
  process.exit(ISOLATE_FAILED);
}

function mount(args: string[]): void {
  const r = spawnSync('/usr/bin/mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) fail(`mount ${args.join(' ')} failed: ${String(r.stderr ?? r.error).trim()}`);
}

/** mountinfo escapes space, tab, newline and backslash in mount points as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mounts at or below `view`, mount point -> per-mount options; a later (covering) mount wins. */
function mountsUnder(view: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync('/proc/self/mountinfo', 'latin1').split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) continue;
    const point = unescape(f[4]!);
    if (point === view || point.startsWith(`${view}/`)) out.set(point, f[5]!.split(','));
  }
  return out;
}

function main(): void {
  const spec = JSON.parse(process.argv[2] ?? '') as Spec;
  mount(['--rbind', spec.root, spec.view]);
  for (const point of mountsUnder(spec.view).keys()) mount(['-o', 'remount,bind,ro,noatime', point]);
  for (const [point, opts] of mountsUnder(spec.view)) {
    if (!opts.includes('ro') || !opts.includes('noatime')) fail(`${point} is still mounted ${opts.join(',')}`);
  }
  for (const [from, to] of spec.binds) mount(['--bind', from, `${spec.view}${to}`]);

  const [program, ...args] = spec.argv;
  const child = spawn(program!, args, { stdio: 'inherit' });
  child.on('error', (e) => fail(`cannot run ${program}: ${e.message}`));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? ISOLATE_FAILED);
  });
}

main();
