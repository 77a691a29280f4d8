/**
 * Run-level failures. Per-file problems are data (see Entry.untested); these
 * are the few ways a whole command fails. Only the CLI turns them into exit codes.
 *
 * Exit codes: 0 clean; 1 added, 2 missing, 4 changed, 8 incomplete (OR-ed bits);
 * errors from 16 up, listed here and in the README; 141 when the reader of the
 * output went away (as a shell reports a process killed by SIGPIPE).
 */
export class DriftscanError extends Error {
  readonly exitCode: number = 23;
}

/** Bad command line or options. Never 1: that bit means "added". */
export class UsageError extends DriftscanError {
  override readonly exitCode = 16;
}

/** The baseline file cannot be read (missing, permission denied). */
export class BaselineReadError extends DriftscanError {
  override readonly exitCode = 17;
}

/** The baseline file is not a baseline: bad magic, truncated, unknown version, undecodable. */
export class BaselineFormatError extends DriftscanError {
  override readonly exitCode = 18;
}

/** The signature does not verify with the given public key. */
export class SignatureError extends DriftscanError {
  override readonly exitCode = 19;
}

/** The tree to walk (the root or a start path) cannot be read. */
export class RootError extends DriftscanError {
  override readonly exitCode = 20;
}

/** A key file is missing, malformed, unsafe (mode, owner) or would be overwritten. */
export class KeyError extends DriftscanError {
  override readonly exitCode = 21;
}

/** A rules file is invalid; the message names the line. */
export class PolicyError extends DriftscanError {
  override readonly exitCode = 22;
}

/** The package manager could not be run or gave unusable output. */
export class PackageToolError extends DriftscanError {
  override readonly exitCode = 24;
}

/** Writing the output failed (disk full, permission). The previous file is left intact. */
export class OutputError extends DriftscanError {
  override readonly exitCode = 25;
}

/**
 * `update` refused: the report is of another baseline, or edited, or accepts
 * nothing, or an accepted path changed since the report. `lines` says which,
 * one line per path or rule; nothing is written.
 */
export class UpdateRefusedError extends DriftscanError {
  override readonly exitCode = 26;
  constructor(message: string, readonly lines: string[] = []) {
    super(message);
  }
}

/**
 * The reader of the output closed it early (`driftscan show ... | head`): not an
 * error worth a message, the reader has what it wanted. Exit 141 = 128 + SIGPIPE,
 * what a shell reports for a tool that SIGPIPE ended.
 */
export class OutputClosedError extends DriftscanError {
  override readonly exitCode = 141;
}

export const OUTPUT_CLOSED_EXIT = 141;
export const INTERNAL_ERROR_EXIT = 23;

export const EXIT_ADDED = 1;
export const EXIT_MISSING = 2;
export const EXIT_CHANGED = 4;
export const EXIT_INCOMPLETE = 8;
