#!/usr/bin/env node
/**
 * The entry point: loads the command line (program.ts and the ~150 modules
 * below it) and runs it. Node reads those modules several at a time, and
 * under a tight `ulimit -n` on a busy machine that alone can run out of file
 * descriptors, which Node reports with a stack trace and exit 1 ("added"):
 * here it is one line and the internal-error exit status.
 */
/** INTERNAL_ERROR_EXIT (errors.ts): nothing of driftscan may be loaded to name it. */
const INTERNAL_ERROR = 23;

function fail(what: string, err: unknown): void {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code === 'EMFILE' || code === 'ENFILE'
    ? `too many open files (ulimit -n is ${code === 'EMFILE' ? 'too low' : 'reached system-wide'})`
    : String((err as Error)?.message ?? err).replace(/[\x00-\x1f\x7f-\x9f]+/g, ' ');
  process.stderr.write(`driftscan: internal error: ${what}${why}\n`);
  process.exitCode = INTERNAL_ERROR;
}

let program: typeof import('./program.js') | undefined;
try {
  program = await import('./program.js');
} catch (err) {
  fail('cannot load driftscan: ', err);
}
// main() reports its own failures; this is only for what escapes it.
if (program) await program.run().catch((err: unknown) => fail('', err));
