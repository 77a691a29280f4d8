#!/usr/bin/env node
// Issue 13, goal 4: the default scan (file integrity + the package manager's verification) against
// `aide --check` of the same tree, in the same run, round-robin, medians. Warm cache.
//   driftscan scan (default --packages auto: driftscan's own dpkg verify, md5s from the walk's reads)
//   driftscan scan with DRIFTSCAN_DPKG_VERIFY=tool (the real dpkg --verify, split across cores)
//   driftscan scan --packages none (files only, what AIDE does)
//   earlier build's default scan (BENCH_OLD=/path/to/dist/cli/main.js)
//   aide --check (same attributes + sha256, num_workers = cores)
// Usage: node bench/scan-packages.mjs [TREE=/usr]   env: BENCH_RUNS=N, BENCH_OLD
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { AIDE_RULE, CLI, RUNS, aideConf, countAndWarm, f2, fail, loadNow, mb, median, preflight, rounds, run, scratch, table } from './lib.mjs';

const TREE = (process.argv[2] ?? '/usr').replace(/(.)\/+$/, '$1');
const OLD = process.env.BENCH_OLD;
const cores = availableParallelism();
preflight(['aide']);
const s = scratch('ds-scanpkg-');
try {
  const { files, entries } = countAndWarm(TREE);
  const node = process.execPath, out = (n) => join(s.dir, n);
  const conf = aideConf(out('aide.conf'), { tree: TREE, dbIn: out('aide.db'), dbOut: out('aide.db'), rule: AIDE_RULE, workers: cores });
  const prep = [
    ['driftscan baseline', node, [CLI, 'baseline', TREE, '--key', s.key, '-o', out('ds.dsb')]],
    ['aide --init', 'aide', ['--init', '-c', conf]],
  ];
  if (OLD) prep.push(['earlier build: baseline', node, [OLD, 'baseline', TREE, '--key', s.key, '-o', out('old.dsb')]]);
  for (const [label, cmd, args] of prep) {
    process.stderr.write(`  preparing: ${label}…\n`);
    const r = await run(cmd, args, { dir: s.dir, label: 'prep' });
    if (r.code !== 0) fail(`${label} failed (exit ${r.code}):\n${r.stderr}`);
  }
  const dsOk = (c) => c < 16, aideOk = (c) => c < 14;
  const scan = (cli, dsb, ...extra) => [cli, 'scan', out(dsb), '--pubkey', s.pub, ...extra];
  const specs = [
    { label: 'driftscan scan, default (files + driftscan\'s dpkg verify)', cmd: node, args: scan(CLI, 'ds.dsb'), ok: dsOk },
    { label: 'driftscan scan, DRIFTSCAN_DPKG_VERIFY=tool (dpkg --verify split across cores)', cmd: node, args: scan(CLI, 'ds.dsb'), ok: dsOk, env: { DRIFTSCAN_DPKG_VERIFY: 'tool' } },
    { label: 'driftscan scan --packages none (files only)', cmd: node, args: scan(CLI, 'ds.dsb', '--packages', 'none'), ok: dsOk },
  ];
  if (OLD) specs.push({ label: 'earlier build, default', cmd: node, args: scan(OLD, 'old.dsb'), ok: dsOk });
  specs.push({ label: `peer: aide --check (${AIDE_RULE}, num_workers=${cores})`, cmd: 'aide', args: ['--check', '-c', conf], ok: aideOk });

  const loadBefore = loadNow();
  const res = await rounds(specs, { dir: s.dir, runs: RUNS });
  const loadAfter = loadNow();
  const r = specs.map((sp) => res.get(sp.label));
  const aide = median(r[r.length - 1].walls);
  const rows = r.map((x) => [x.label, f2(median(x.walls)), x.walls.map(f2).join(' / '), mb(x.rssMB),
    `${(aide / median(x.walls)).toFixed(2)}×`, x.failures.length ? `exit ${x.failures}` : `exit ${x.last.code}`]);
  console.log(`## bench/scan-packages.mjs: default scan of ${TREE} vs aide --check\n`);
  console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cores} cores · ${files.toLocaleString('en-US')} files, ` +
    `${entries.toLocaleString('en-US')} entries · median of ${RUNS} rounds · warm cache · load ${loadBefore} before, ${loadAfter} after\n`);
  console.log(table(['command', 'median wall s', 'all runs s', 'peak RSS MB', 'aide ÷ this', 'exit'], rows));
  const d = median(r[0].walls);
  console.log(`\n- goal 4: aide --check ÷ default driftscan scan = **${(aide / d).toFixed(2)}×** (goal ≥ 8×: ${aide / d >= 8 ? 'met' : 'NOT met'})`);
  console.log(`- default scan, driftscan's dpkg verify vs the real dpkg --verify (split): ${f2(d)} s vs ${f2(median(r[1].walls))} s`);
  if (OLD) console.log(`- default scan, this build vs the earlier build: ${f2(d)} s vs ${f2(median(r[3].walls))} s`);
} finally {
  s.cleanup();
}
