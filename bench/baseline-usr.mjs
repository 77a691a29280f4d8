#!/usr/bin/env node
// Baseline benchmark (issue 13, goal 1): `driftscan baseline TREE` vs `aide --init` (sha256 + attributes,
// num_workers = cores) and the floor `find | xargs -P<cores> openssl dgst -sha256`, plus hashdeep; warm
// cache, median of BENCH_RUNS rounds (default 4), round-robin. Prints whether goal 1 is met:
// aide ≥ 8× driftscan, and driftscan ≤ 0.9× the openssl floor.
// Usage: node bench/baseline-usr.mjs [TREE=/usr]     env: BENCH_RUNS=N, BENCH_DIAG=0 to skip the
// diagnostic rows (--jobs 1, walk-only), BENCH_PEERS=0 to skip aide and hashdeep.
import { writeFileSync, statSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, preflight, scratch, countAndWarm, rounds, table, banner, aideConf, AIDE_RULE, supports, allRounds, f2, mb, kps, ratio } from './lib.mjs';

const TREE = (process.argv[2] ?? '/usr').replace(/(.)\/+$/, '$1');
const DIAG = process.env.BENCH_DIAG !== '0';
const PEERS = process.env.BENCH_PEERS !== '0';
const CORES = availableParallelism();
preflight(PEERS ? ['aide', 'hashdeep', 'find', 'xargs', 'openssl'] : ['find', 'xargs', 'openssl']);

const s = scratch('ds-baseline-');
try {
  const { files, entries } = countAndWarm(TREE);

  const node = process.execPath;
  const out = (name) => join(s.dir, name);
  // File integrity only, the same work AIDE does: package metadata off when this build has the option.
  const PKG = supports('baseline', '--packages');
  const base = ['baseline', TREE, '--key', s.key, ...(PKG ? ['--packages', 'none'] : [])];
  const walkRules = out('walk-only.rules');
  writeFileSync(walkRules, `include ${TREE}\nattrs /** -sha256 -xxh64\n`);
  const conf = aideConf(out('aide.conf'), { tree: TREE, dbIn: out('aide.db'), dbOut: out('aide.db'), rule: AIDE_RULE, workers: CORES });
  const rmOut = (f) => () => rmSync(out(f), { force: true });

  const specs = [
    { label: `driftscan baseline (sha256+xxh64, default jobs${PKG ? ', --packages none' : ''})`, cmd: node, args: [CLI, ...base, '-o', out('ds.dsb')], before: rmOut('ds.dsb') },
    { label: 'driftscan baseline --fast (xxh64)', cmd: node, args: [CLI, ...base, '--fast', '-o', out('fast.dsb')], before: rmOut('fast.dsb') },
  ];
  if (PKG) specs.push({ label: 'driftscan baseline, default --packages auto (adds dpkg/rpm metadata)', cmd: node,
    args: [CLI, 'baseline', TREE, '--key', s.key, '-o', out('pkg.dsb')], before: rmOut('pkg.dsb') });
  if (DIAG) specs.push(
    { label: 'diag: driftscan baseline --jobs 1', cmd: node, args: [CLI, ...base, '--jobs', '1', '-o', out('j1.dsb')], before: rmOut('j1.dsb') },
    { label: 'diag: driftscan walk-only (no digests)', cmd: node,
      args: [CLI, 'baseline', '--rules', walkRules, '--key', s.key, ...base.slice(4), '-o', out('walk.dsb')], before: rmOut('walk.dsb') },
  );
  if (PEERS) specs.push(
    { label: `aide --init (${AIDE_RULE}, ${CORES} workers)`, cmd: 'aide', args: ['--init', '-c', conf], before: rmOut('aide.db') },
    { label: 'hashdeep -r -c sha256', cmd: 'hashdeep', args: ['-r', '-c', 'sha256', TREE] },
  );
  specs.push({ label: `floor: find | xargs -P${CORES} openssl dgst -sha256`, cmd: 'sh',
    args: ['-c', `find "$1" -xdev -type f -print0 | xargs -0 -P${CORES} openssl dgst -sha256 >/dev/null 2>&1; exit 0`, 'sh', TREE] });
  specs.push({ label: 'floor: find -printf (lstat only)', cmd: 'find', args: [TREE, '-xdev', '-printf', '%s %m %U %G %T@\\n'] });

  const res = await rounds(specs, { dir: s.dir });
  const r = [...res.values()];
  const ds = r[0];
  const rows = r.map((x) => [x.label, f2(x.wall), mb(x.rssMB), kps(files, x.wall), ratio(x.wall, ds.wall),
    x.failures.length ? `exit ${x.failures.join(',')}` : 'ok']);

  let dsbBytes = 0;
  try { dsbBytes = statSync(out('ds.dsb')).size; } catch { /* failed run */ }
  console.log(banner(`driftscan baseline vs peers on ${TREE}`, `${files.toLocaleString('en-US')} files, ${entries.toLocaleString('en-US')} entries`));
  console.log(table(['command', 'wall s (median)', 'peak RSS MB (max)', 'files/s', 'wall ÷ driftscan', 'status'], rows));
  const get = (p) => r.find((x) => x.label.startsWith(p));
  const aide = get('aide'), hd = get('hashdeep'), fast = get('driftscan baseline --fast'), pkg = get('driftscan baseline, default');
  console.log('');
  const ssl = get('floor: find | xargs');
  if (aide) console.log(`- aide/driftscan: **${ratio(aide.wall, ds.wall)}** (goal 1: ≥ 8×: ${aide.wall / ds.wall >= 8 ? 'met' : 'NOT met'}); aide/driftscan --fast: ${ratio(aide.wall, fast.wall)}` +
    (pkg ? `; aide/driftscan with default --packages auto: ${ratio(aide.wall, pkg.wall)}` : ''));
  console.log(`- driftscan/openssl floor: **${ratio(ds.wall, ssl.wall)}** (goal 1: ≤ 0.9×: ${ds.wall / ssl.wall <= 0.9 ? 'met' : 'NOT met'})`);
  if (hd) console.log(`- hashdeep/driftscan: **${ratio(hd.wall, ds.wall)}**`);
  console.log(`- driftscan peak RSS ${mb(ds.rssMB)} MB (target < 400 MB: ${ds.rssMB < 400 ? 'met' : 'NOT met'}); ` +
    `--fast ${mb(fast.rssMB)} MB`);
  if (dsbBytes) console.log(`- baseline file: ${(dsbBytes / 1e6).toFixed(1)} MB, ${(dsbBytes / entries).toFixed(0)} bytes/entry`);
  console.log(`- load (/proc/loadavg): ${ds.loadBefore} before, ${ds.loadAfter} after`);
  console.log(`- every round (s): ${allRounds(r)}`);
} finally {
  s.cleanup();
}
