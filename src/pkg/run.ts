/**
 * Runs a package tool: never through a shell, always an absolute path on the
 * scanning machine (a scanned root may hold a trojaned rpm), with a clean
 * environment and a timeout that kills the whole process group.
 */
import { spawn } from 'node:child_process';
import { PackageToolError } from '../errors.js';

/** The scanning machine's tools. A root's own binaries are never run. */
export const TOOLS = {
  rpm: '/usr/bin/rpm',
  dpkg: '/usr/bin/dpkg',
  dpkgQuery: '/usr/bin/dpkg-query',
  /** Makes a child's stdout line-buffered, so a killed dpkg has flushed what it found. */
  stdbuf: '/usr/bin/stdbuf',
  /** Makes the private mount namespace the tools run in (isolate.ts). */
  unshare: '/usr/bin/unshare',
} as const;

export const DEFAULT_TIMEOUT_MS = 120_000;

export interface RunOptions {
  timeoutMs?: number;
}

export interface RunResult {
  /** Raw bytes: file names in the output are not necessarily UTF-8. */
  stdout: Buffer;
  stderr: Buffer;
  /** Exit code, or null when the process was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the timeout ended the process; stdout holds what it printed until then. */
  timedOut: boolean;
}

/**
 * A fixed environment: C locale so messages such as `(Permission denied)` are
 * parseable, no HOME (no ~/.rpmmacros), and no DPKG_ROOT / DPKG_ADMINDIR
 * leaking in from the caller to point the tool at another database.
 */
const CHILD_ENV: NodeJS.ProcessEnv = {
  LC_ALL: 'C',
  LANG: 'C',
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
};

export function runTool(program: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // detached: the child leads its own process group, so a timeout can kill
    // it together with anything it started (rpm forks for --root).
    const child = spawn(program, [...args], {
      env: CHILD_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => {
      // Only a failed start (ENOENT, EACCES) ends up here; kill errors are ignored.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new PackageToolError(`cannot run ${program}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), code, signal, timedOut });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone: nothing left to stop.
  }
}

/** A short printable account of how a run ended, for error messages. */
export function describeExit(program: string, r: RunResult): string {
  const how = r.timedOut
    ? 'was stopped by the timeout'
    : r.signal
      ? `was killed by ${r.signal}`
      : `exited with status ${r.code}`;
  const stderr = r.stderr.toString('latin1').trim();
  return stderr ? `${program} ${how}: ${stderr}` : `${program} ${how}`;
}
