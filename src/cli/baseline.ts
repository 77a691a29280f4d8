import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildBaseline } from '../baseline/build.js';
import { defaultKeyDir, generateKeyPair, loadPrivateKey, KEY_FILE } from '../baseline/keys.js';
import { seal } from '../baseline/sealed.js';
import { DEFAULT_POLICY } from '../policy/default.js';
import { parsePolicy, policyForPaths, withFastMode } from '../policy/policy.js';
import { displayPath } from '../paths.js';
import { describeReason } from '../snapshot/starts.js';
import { parseJobs, progressLine, readRules, resolveRoot, sourceDateEpoch } from './common.js';
import { defaultKeyFiles, outputTarget, parseMode, refuseInsideRoot, writeOutput } from './output.js';
import { RootError, UsageError } from '../errors.js';
import { collectPackageData, parsePackageChoice } from '../baseline/package-data.js';
import type { KeyObject } from 'node:crypto';

interface BaselineOpts {
  root?: string;
  key?: string;
  output?: string;
  jobs?: string;
  rules?: string;
  fast?: boolean;
  packages: string;
  mode?: string;
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
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
    .action(async (paths: string[], opts: BaselineOpts) => {
      const output = opts.output ?? `${os.hostname()}.dsb`;
      const inputs = { 'signing key': opts.key, 'rules file': opts.rules, ...defaultKeyFiles() };
      outputTarget(output, inputs);
      const mode = parseMode(opts.mode);
      const created = sourceDateEpoch();
      const jobs = parseJobs(opts.jobs);
      const root = resolveRoot(opts.root);
      refuseInsideRoot(output, root);
      for (const p of paths) {
        if (!p.startsWith('/')) throw new UsageError(`paths must be absolute (relative to the root): ${p}`);
        // A path that is not there would give a baseline of nothing, clean forever.
        if (!fs.existsSync(path.join(root, p)) && !isSymlink(path.join(root, p))) {
          throw new RootError(`${p} does not exist${root === '/' ? '' : ` under ${root}`}`);
        }
      }
      let policy = opts.rules ? readRules(opts.rules) : parsePolicy(DEFAULT_POLICY, 'default policy');
      if (paths.length) policy = parsePolicy(policyForPaths(paths, policy.text), 'command line');
      if (opts.fast) policy = parsePolicy(withFastMode(policy.text), 'command line');
      const choice = parsePackageChoice(opts.packages);
      const warn = (m: string) => process.stderr.write(`driftscan: warning: ${m}\n`);
      const key = signingKey(opts.key);
      const progress = progressLine('baseline');
      // Read while the tree is walked (buildBaseline awaits it at the end).
      const packagesRead = collectPackageData(root, choice, warn);
      const baseline = await buildBaseline({ root, policy, jobs, signingKey: key, created, packages: packagesRead, progress: progress.update, onWarning: warn });
      const packages = baseline.packages;
      progress.done();
      await writeOutput(output, inputs, seal(baseline, key), mode);
      for (const [start, why] of baseline.header.notWalked ?? []) {
        warn(`include ${displayPath(start)} ${describeReason(why)}: nothing walked there; recorded, and every scan will say so`);
      }
      for (const dir of baseline.header.unlisted) {
        process.stderr.write(`driftscan: warning: could not list ${displayPath(dir)}; nothing below it is in the baseline\n`);
      }
      const untested = baseline.entries.filter((e) => e.untested).length;
      if (untested) process.stderr.write(`driftscan: warning: ${untested} entries could not be read completely (marked untested)\n`);
      const pkgNote = packages ? `, ${packages.packages.length} ${packages.manager} packages` : '';
      process.stderr.write(`driftscan: wrote ${output}: ${baseline.entries.length} entries${pkgNote}\n`);
    });
}
