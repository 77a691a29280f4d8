#!/usr/bin/env node
/**
 * The entry point: loads the command line (program.ts and the ~150 modules
 * below it) and runs it. Node reads those modules several at a time, and
 * under a tight `ulimit -n` on a busy machine that alone can run out of file
 * descriptors, which Node reports with a stack trace and exit 1 ("added"):
 * here it is one line and the internal-error exit status.
 */
/** INTERNAL_ERROR_EXIT (errors.ts): nothing of driftscan may be loaded to name it. */
const CANNOT_LOAD_EXIT = 23;

try {
  const { run } = await import('./program.js');
  await run();
} catch (err) {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code === 'EMFILE' || code === 'ENFILE'
    ? `too many open files (ulimit -n is ${code === 'EMFILE' ? 'too low' : 'reached system-wide'})`
    : String((err as Error)?.message ?? err).replace(/[\x00-\x1f\x7f-\x9f]+/g, ' ');
  process.stderr.write(`driftscan: internal error: cannot load driftscan: ${why}\n`);
  process.exitCode = CANNOT_LOAD_EXIT;
}
