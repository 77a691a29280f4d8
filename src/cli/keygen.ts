import type { Command } from 'commander';
import { defaultKeyDir, generateKeyPair, keyId, loadPublicKey } from '../index.js';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create an Ed25519 key pair: DIR/driftscan.key (0600) and DIR/driftscan.pub; never overwrites')
    .option('--out <dir>', 'directory for the key pair', defaultKeyDir())
    .action((opts: { out: string }) => {
      const { key, pub } = generateKeyPair(opts.out);
      process.stdout.write(`private key: ${key}\npublic key:  ${pub}\nkey id:      ${keyId(loadPublicKey(pub))}\n`);
    });
}
