import type { Command } from 'commander';
import { escapeUnicode, verify } from '../index.js';
import { publicKeyFrom } from './common.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a baseline\'s signature; exit 0 only if it is valid')
    .argument('<file>', 'baseline file')
    .option('--pubkey <file>', 'Ed25519 public key (default: the default key directory\'s driftscan.pub)')
    .action((file: string, opts: { pubkey?: string }) => {
      // The header's text is escaped as show prints it: a host name can hold escape sequences.
      const v = verify(file, publicKeyFrom(opts.pubkey));
      process.stdout.write(
        `OK ${file}: signature valid (key ${v.keyId.slice(0, 16)}), ${v.entries} entries, host ${escapeUnicode(v.host)}, created ${escapeUnicode(v.created)}\n`,
      );
    });
}
