/**
 * The driftscan command line: a thin shell over the library, and the only
 * place that sets the exit code (main.ts loads it).
 */
import { Command, CommanderError } from 'commander';
import fs from 'node:fs';
import {
  cleanUpOnSignals, DriftscanError, INTERNAL_ERROR_EXIT, OUTPUT_CLOSED_EXIT, OutputClosedError, OutputError, TOOL_VERSION, UsageError,
} from '../index.js';
import { registerKeygen } from './keygen.js';
import { registerBaseline } from './baseline.js';
import { registerVerify } from './verify.js';
import { registerShow } from './show.js';
import { registerScan } from './scan.js';
import { registerPolicy } from './policy.js';
import { registerAttrs } from './attrs.js';
import { registerUpdate } from './update.js';
import { registerDiff } from './diff.js';

const EXIT_HELP = `
Exit status (scan): 0 clean; bits OR-ed: 1 added, 2 missing, 4 changed, 8 not everything could be checked.
Errors: 16 usage, 17 cannot read baseline, 18 corrupt or truncated baseline, 19 bad signature or wrong key,
20 cannot read root, 21 key problem, 22 bad rules file, 23 internal error, 24 package tool failed, 25 cannot write output,
26 update refused (report of another baseline or edited, a rule accepting nothing, a path changed since the report);
141 the reader of the output closed it early (| head), quietly.`;

/** One line, nothing a terminal would act on: messages may quote a file name or damaged data. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '?').trim();
}

/**
 * Standard output that fails (its reader gone under `| head`: EPIPE; a full
 * disk: ENOSPC) emits an error event, which unhandled is a stack trace and
 * exit 1, "added". A closed reader ends the run quietly with 141, as SIGPIPE
 * would; anything else is one line and 25. A failing stderr has nowhere left
 * to report to: the exit code still tells.
 */
function guardStreams(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(OUTPUT_CLOSED_EXIT);
    const failure = new OutputError(`cannot write standard output: ${err.code ?? err.message}`);
    try {
      fs.writeSync(2, `driftscan: error: ${failure.message}\n`);
    } catch {
      // stderr is gone too
    }
    process.exit(failure.exitCode);
  });
  process.stderr.on('error', () => undefined);
}

/** Options that name a file or directory: empty, they are a usage error. */
const PATH_OPTIONS = new Set(['root', 'key', 'pubkey', 'rules', 'output', 'out', 'check', 'previous']);

export async function main(argv: string[]): Promise<number> {
  // Without a command commander prints its help and exits 0, which a script would take for success.
  if (argv.length <= 2) {
    process.stderr.write('driftscan: error: no command given (driftscan --help lists them)\n');
    return new UsageError('no command').exitCode;
  }
  const program = new Command('driftscan')
    .description('file-integrity baseline and drift scanner for Linux servers')
    .version(TOOL_VERSION)
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError(false)
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;
  const registers = [
    registerKeygen, registerBaseline, registerVerify, registerShow,
    (p: Command) => registerScan(p, (code) => (exitCode = code)), registerPolicy, registerAttrs,
    registerUpdate, (p: Command) => registerDiff(p, (code) => (exitCode = code)),
  ];
  for (const register of registers) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  // `--pubkey "$PUB"` with PUB unset: an empty path was taken as no option (the default key, the
  // stored policy, the working directory as root). (Other options' own checks name their values.)
  program.hook('preAction', (_program, command) => {
    for (const [name, value] of Object.entries(command.opts())) {
      if (value !== '' || !PATH_OPTIONS.has(name)) continue;
      const flag = command.options.find((o) => o.attributeName() === name)?.long ?? name;
      throw new UsageError(`${flag} is empty: give it a value (an unset variable?)`);
    }
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return new UsageError(err.message).exitCode;
    }
    if (err instanceof OutputClosedError) return err.exitCode;
    if (err instanceof DriftscanError) {
      process.stderr.write(`driftscan: error: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`driftscan: internal error: ${oneLine((err as Error)?.message ?? String(err))}\n`);
    if (process.env.DRIFTSCAN_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    return INTERNAL_ERROR_EXIT;
  }
}

/** The process's run: signals and streams guarded, the exit code set. */
export async function run(): Promise<void> {
  cleanUpOnSignals();
  guardStreams();
  process.exitCode = await main(process.argv);
}
