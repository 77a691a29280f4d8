import type { Command } from 'commander';
import { keyId } from '../baseline/keys.js';
import { escapeUnicode } from '../report/escape.js';
import { loadBaseline } from '../scan/scan.js';
import { publicKeyFrom } from './common.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a baseline\'s signature; exit 0 only if it is valid')
    .argument('<file>', 'baseline file')
    .option('--pubkey <file>', 'Ed25519 public key (default: the default key directory\'s driftscan.pub)')
    .action((file: string, opts: { pubkey?: string }) => {
      const key = publicKeyFrom(opts.pubkey);
      const b = loadBaseline(file, key);
      // The header's text is escaped as show prints it: a host name can hold escape sequences.
      process.stdout.write(
        `OK ${file}: signature valid (key ${keyId(key).slice(0, 16)}), ${b.entries.length} entries, ` +
          `host ${escapeUnicode(b.header.host)}, created ${escapeUnicode(b.header.created)}\n`,
      );
    });
}
