#!/usr/bin/env node
// Scan benchmark: `driftscan scan` of TREE against its own fresh baseline vs `aide --check` against
// its own fresh database (same attributes + sha256, num_workers = cores). Warm cache, median of
// BENCH_RUNS rounds (default 4), round-robin. The baselines are taken once, untimed.
// Usage: node bench/scan-usr.mjs [TREE=/usr]   env: BENCH_RUNS=N, BENCH_DIAG=0, BENCH_PEERS=0
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, preflight, scratch, countAndWarm, run, rounds, table, banner, aideConf, AIDE_RULE, supports, fail, allRounds, f2, mb, kps, ratio } from './lib.mjs';

const TREE = (process.argv[2] ?? '/usr').replace(/(.)\/+$/, '$1');
const DIAG = process.env.BENCH_DIAG !== '0';
const PEERS = process.env.BENCH_PEERS !== '0';
preflight(PEERS ? ['aide', 'find'] : ['find']);

const s = scratch('ds-scan-');
try {
  const { files, entries } = countAndWarm(TREE);

  const node = process.execPath;
  const out = (name) => join(s.dir, name);
  // File integrity only, like AIDE: package verification off when this build has it (default is auto).
  const PKG = supports('scan', '--packages');
  const NOPKG = PKG ? ['--packages', 'none'] : [];
  const conf = aideConf(out('aide.conf'), { tree: TREE, dbIn: out('aide.db'), dbOut: out('aide.db'), rule: AIDE_RULE, workers: availableParallelism() });
  // The baselines the scans compare against, untimed (timed in baseline-usr.mjs).
  const prep = [
    ['driftscan baseline', node, [CLI, 'baseline', TREE, ...NOPKG, '--key', s.key, '-o', out('ds.dsb')]],
    ['driftscan baseline --fast', node, [CLI, 'baseline', TREE, ...NOPKG, '--fast', '--key', s.key, '-o', out('fast.dsb')]],
  ];
  if (PKG) prep.push(['driftscan baseline (default --packages auto)', node, [CLI, 'baseline', TREE, '--key', s.key, '-o', out('pkg.dsb')]]);
  if (PEERS) prep.push(['aide --init', 'aide', ['--init', '-c', conf]]);
  for (const [label, cmd, args] of prep) {
    process.stderr.write(`  preparing: ${label}…\n`);
    const r = await run(cmd, args, { dir: s.dir, label: 'prep' });
    if (r.code !== 0) fail(`${label} failed (exit ${r.code}):\n${r.stderr}`);
  }

  // driftscan: bits 1/2/4/8 are findings (still a completed scan), >= 16 an error. AIDE: 1/2/4 findings, >= 14 errors.
  const dsOk = (c) => c < 16, aideOk = (c) => c < 14;
  const scan = (dsb, ...extra) => [CLI, 'scan', out(dsb), '--pubkey', s.pub, ...extra];
  const specs = [
    { label: `driftscan scan (sha256+xxh64 baseline, default jobs${PKG ? ', --packages none' : ''})`, cmd: node, args: scan('ds.dsb', ...NOPKG), ok: dsOk },
    { label: 'driftscan scan of a --fast (xxh64) baseline', cmd: node, args: scan('fast.dsb', ...NOPKG), ok: dsOk },
  ];
  if (PKG) specs.push({ label: 'driftscan scan, default --packages auto (runs dpkg --verify / rpm -Va)', cmd: node, args: scan('pkg.dsb'), ok: dsOk });
  if (DIAG) specs.push({ label: 'diag: driftscan scan --jobs 1', cmd: node, args: scan('ds.dsb', ...NOPKG, '--jobs', '1'), ok: dsOk });
  if (PEERS) specs.push({ label: `aide --check (${AIDE_RULE}, ${availableParallelism()} workers)`, cmd: 'aide', args: ['--check', '-c', conf], ok: aideOk });
  specs.push({ label: 'floor: find -printf (lstat only)', cmd: 'find', args: [TREE, '-xdev', '-printf', '%s %m %U %G %T@\\n'] });

  const res = await rounds(specs, { dir: s.dir });
  const r = [...res.values()];
  const ds = r[0];
  const verdict = (x) => {
    if (x.failures.length) return `exit ${x.failures.join(',')}`;
    const code = x.last.code;
    if (/driftscan|aide/.test(x.label)) return code === 0 ? 'clean' : `drift (exit ${code})`;
    return 'ok';
  };
  const rows = r.map((x) => [x.label, f2(x.wall), mb(x.rssMB), kps(files, x.wall), ratio(x.wall, ds.wall), verdict(x)]);

  console.log(banner(`driftscan scan vs aide --check on ${TREE}`, `${files.toLocaleString('en-US')} files, ${entries.toLocaleString('en-US')} entries, baseline ${(statSync(out('ds.dsb')).size / 1e6).toFixed(1)} MB`));
  console.log(table(['command', 'wall s (median)', 'peak RSS MB (max)', 'files/s', 'wall ÷ driftscan', 'result'], rows));
  console.log('');
  const aide = r.find((x) => x.label.startsWith('aide'));
  const pkg = r.find((x) => x.label.includes('--packages auto'));
  if (aide) {
    console.log(`- aide/driftscan: **${ratio(aide.wall, ds.wall)}** (target ≥ 6×: ${aide.wall / ds.wall >= 6 ? 'met' : 'NOT met'}); ` +
      `aide/driftscan (--fast baseline): ${ratio(aide.wall, r[1].wall)}` + (pkg ? `; aide/driftscan default --packages auto: ${ratio(aide.wall, pkg.wall)}` : ''));
  }
  for (const x of r.filter((y) => y.last.code !== 0 && y.label.includes('driftscan'))) {
    console.log(`- ${x.label} reported drift on an unchanged tree? last lines:\n\n\`\`\`\n${x.last.stdout.trim().split('\n').slice(-6).join('\n')}\n\`\`\``);
  }
  console.log(`- load (/proc/loadavg): ${ds.loadBefore} before, ${ds.loadAfter} after`);
  console.log(`- every round (s): ${allRounds(r)}`);
} finally {
  s.cleanup();
}
