import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import {
  baselineTotals, defaultKeyDir, describeReason, displayPath, generateKeyPair, KEY_FILE, loadPrivateKey, sourceDateEpoch, writeBaseline, UsageError,
} from '../index.js';
import { parseJobs, parsePackageChoice, publicKeyFrom, readRules, resolveRoot } from './common.js';
import { progressLine } from './terminal.js';
import { defaultKeyFiles, outputStream, outputTarget, parseMode, refuseInsideRoot } from './output.js';

interface BaselineOpts {
  root?: string;
  key?: string;
  output?: string;
  jobs?: string;
  rules?: string;
  fast?: boolean;
  packages: string;
  mode?: string;
  previous?: string;
  pubkey?: string;
}

/** The key to sign with: --key, else the default key, created on first use (and said so). */
function signingKey(file: string | undefined): KeyObject {
  if (file) return loadPrivateKey(file);
  const dir = defaultKeyDir();
  const key = path.join(dir, KEY_FILE);
  if (!fs.existsSync(key)) {
    const made = generateKeyPair(dir);
    process.stderr.write(`driftscan: created signing key ${made.key}; scans verify with ${made.pub}\n`);
  } else {
    process.stderr.write(`driftscan: signing with ${key}\n`);
  }
  return loadPrivateKey(key);
}

export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description('walk the paths (default: the default Linux policy) and write one signed baseline')
    .argument('[paths...]', 'paths to walk, relative to --root (default: the policy\'s includes)')
    .option('--root <dir>', 'take the baseline of a tree mounted at DIR; paths are recorded relative to it')
    .option('--key <file>', 'Ed25519 private key (default: created in the default key directory)')
    .option('-o, --output <file>', 'baseline file to write (default: ./<hostname>.dsb)')
    .option('--jobs <n>', 'hash worker threads (default: one per core)')
    .option('--rules <file>', 'rules file replacing the default policy (start it with "use default" to extend)')
    .option('--fast', 'xxh64 only, no SHA-256 (for CI golden images; resists accidents, not attackers)')
    .option('--packages <manager>', 'record package metadata: auto, none, rpm, dpkg', 'auto')
    .option('--mode <octal>', 'permission bits of the baseline file (default 0600: it may hold configuration text)')
    .option('--previous <file>', 'an earlier baseline of the same paths: the progress line on a terminal shows a percentage and time left')
    .option('--pubkey <file>', 'public key --previous must verify with (default: the default key directory\'s driftscan.pub)')
    .action(async (paths: string[], opts: BaselineOpts) => {
      // Every mistake in the options is found before the walk (and before a default key is created).
      const output = opts.output ?? `${os.hostname()}.dsb`;
      const inputs = { 'signing key': opts.key, 'rules file': opts.rules, ...defaultKeyFiles() };
      outputTarget(output, inputs);
      const mode = parseMode(opts.mode);
      const created = sourceDateEpoch();
      const jobs = parseJobs(opts.jobs);
      const root = resolveRoot(opts.root);
      refuseInsideRoot(output, root);
      const policy = opts.rules ? readRules(opts.rules) : undefined;
      const packages = parsePackageChoice(opts.packages);
      const warn = (m: string) => process.stderr.write(`driftscan: warning: ${m}\n`);
      const progress = progressLine('baseline');
      // Verified like any baseline (exit 19 with the wrong key), even where no progress is shown.
      if (opts.previous) progress.setTotals(baselineTotals(opts.previous, publicKeyFrom(opts.pubkey)));
      else if (opts.pubkey) throw new UsageError('--pubkey checks --previous: give both or neither');
      // Written as the walk goes: a temporary file renamed into place at the end, or straight into a FIFO or device.
      const out = outputStream(output, inputs, mode);
      let baseline;
      try {
        baseline = await writeBaseline({
          root, paths, policy, fast: opts.fast, packages, jobs, created, progress: progress.update, onWarning: warn,
          signingKey: () => signingKey(opts.key),
        }, (bytes) => out.write(bytes));
        progress.done();
        await out.commit();
      } catch (err) {
        out.abort();
        throw err;
      }
      for (const [start, why] of baseline.header.notWalked ?? []) {
        warn(`include ${displayPath(start)} ${describeReason(why)}: nothing walked there; recorded, and every scan will say so`);
      }
      for (const dir of baseline.header.unlisted) {
        warn(`could not list ${displayPath(dir)}; nothing below it is in the baseline`);
      }
      if (baseline.untested) warn(`${baseline.untested} entries could not be read completely (marked untested)`);
      const pkgNote = baseline.packages ? `, ${baseline.packages.packages.length} ${baseline.packages.manager} packages` : '';
      process.stderr.write(`driftscan: wrote ${output}: ${baseline.entries} entries${pkgNote}\n`);
    });
}
