import type { Command } from 'commander';
import { historyLines, show, UsageError } from '../index.js';
import { publicKeyFrom } from './common.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('list a verified baseline\'s entries like find -ls, with digests')
    .argument('<file>', 'baseline file')
    .argument('[path]', 'only this path and what is below it')
    .option('--pubkey <file>', 'Ed25519 public key (default: the default key directory\'s driftscan.pub)')
    .option('--header', 'print the header and policy instead of the entries')
    .option('--packages', 'list the installed packages recorded in the baseline')
    .option('--history', 'the chain of updates: each parent\'s digest, what was accepted, by which key, when')
    .action((file: string, only: string | undefined, opts: { pubkey?: string; header?: boolean; packages?: boolean; history?: boolean }) => {
      if (opts.history) {
        if (opts.header || opts.packages || only !== undefined) throw new UsageError('--history is shown alone (no --header, --packages or path)');
        for (const line of historyLines(file, publicKeyFrom(opts.pubkey))) process.stdout.write(line + '\n');
        return;
      }
      // Before the key: a conflicting pair of options is a usage error, not a missing key.
      if (opts.header && opts.packages) throw new UsageError('--header and --packages conflict: show one of them');
      const lines = show(file, publicKeyFrom(opts.pubkey), { path: only, header: opts.header, packages: opts.packages });
      for (const line of lines) process.stdout.write(line + '\n');
    });
}
