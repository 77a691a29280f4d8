/**
 * Helpers shared by the commands: option parsing, keys, policy (progress and colour: terminal.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  defaultKeyDir, FDS_PER_WORKER, FDS_RESERVED, INPUT_FLAGS, KeyError, loadPublicKey, openFileLimit, openNoAtime, PACKAGE_CHOICES, parsePolicy, PolicyError, PUB_FILE, readInput, RootError, UsageError,
  type PackageChoice, type Policy,
} from '../index.js';

/** --jobs (default: one per core), lowered to what the open-file limit can hold. */
export function parseJobs(value: string | undefined): number {
  if (value !== undefined && (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256)) {
    throw new UsageError(`--jobs takes a whole number from 1 to 256, not '${value}'`);
  }
  return fitJobs(value === undefined ? os.availableParallelism() : Number(value));
}

/**
 * Too many workers for `ulimit -n` fail to start (EMFILE) and end the run as an
 * internal error; fewer workers only take longer. Lower the count and say so.
 */
function fitJobs(wanted: number): number {
  const limit = openFileLimit();
  if (limit === undefined) return wanted;
  const fit = Math.max(1, Math.floor((limit - FDS_RESERVED) / FDS_PER_WORKER));
  if (wanted <= fit) return wanted;
  process.stderr.write(`driftscan: warning: ${wanted} hash workers lowered to ${fit}: only ${limit} open files allowed (ulimit -n)\n`);
  return fit;
}

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer one silently fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration in seconds, as milliseconds a timer can hold: from 0.001 s to 2147483 s. */
export function parseSeconds(option: string, value: string): number {
  const ms = Number(value) * 1000;
  if (!/^\d+(\.\d+)?$/.test(value) || !(ms >= 1) || ms > MAX_TIMER_MS) {
    throw new UsageError(`${option} takes a number of seconds from 0.001 to ${Math.floor(MAX_TIMER_MS / 1000)}, not '${value}'`);
  }
  return Math.round(ms);
}

/** --packages: one of PACKAGE_CHOICES. */
export function parsePackageChoice(value: string): PackageChoice {
  const choice = PACKAGE_CHOICES.find((c) => c === value);
  if (!choice) throw new UsageError(`--packages takes auto, none, rpm or dpkg, not '${value}'`);
  return choice;
}

/** The operator's --root as a real directory path ('/' when absent). */
export function resolveRoot(root: string | undefined): string {
  if (root === undefined) return '/';
  try {
    const real = fs.realpathSync(root);
    if (!fs.statSync(real).isDirectory()) throw new RootError(`--root ${root} is not a directory`);
    return real;
  } catch (err) {
    if (err instanceof RootError) throw err;
    throw new RootError(`cannot use --root ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Rules are a few dozen lines; a megabyte is a wrong file (`--rules /dev/zero` must not fill memory). */
const RULES_FILE_LIMIT = 1024 * 1024;

/** Reads a rules file (a pipe such as `<(...)` too), at most RULES_FILE_LIMIT bytes. */
export function readRules(file: string): Policy {
  return parsePolicy(readRulesText(file), file);
}

/** A rules file's text, read as readRules does (diff uses only its ignore-diff lines). */
export function readRulesText(file: string): string {
  let buf: Buffer;
  let fd: number | undefined;
  try {
    // O_NOATIME: the rules may be kept inside the root they describe (evidence).
    fd = openNoAtime(file, INPUT_FLAGS);
    buf = readInput(fd, RULES_FILE_LIMIT);
  } catch (err) {
    throw new PolicyError(`cannot read rules file ${file}: ${(err as NodeJS.ErrnoException).code}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (buf.length > RULES_FILE_LIMIT) throw new PolicyError(`rules file ${file} is larger than 1 MiB: not a rules file`);
  return buf.toString('utf8');
}

export function publicKeyFrom(file: string | undefined): KeyObject {
  if (file) return loadPublicKey(file);
  const fallback = path.join(defaultKeyDir(), PUB_FILE);
  if (!fs.existsSync(fallback)) {
    throw new KeyError(`no --pubkey given and no default public key at ${fallback}`);
  }
  return loadPublicKey(fallback);
}
