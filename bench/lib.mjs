// Shared helpers for the driftscan benchmarks: timing (median of rounds), peak RSS, load, warm-up, tables.
// Plain Node ESM, no dependencies beyond node: built-ins.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// DRIFTSCAN_CLI=/path/to/dist/cli/main.js benchmarks another build (e.g. a clean copy of a commit).
export const CLI = process.env.DRIFTSCAN_CLI ?? join(ROOT, 'dist', 'cli', 'main.js');
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 4) || 4);
const GNU_TIME = '/usr/bin/time';
export const HAVE_TIME = existsSync(GNU_TIME);

/** Exit with a clear message unless the CLI is built and the tools are on PATH. */
export function preflight(tools = []) {
  if (!existsSync(CLI)) die(`driftscan is not built: run  npx tsc -p tsconfig.json; chmod +x dist/cli/main.js  in ${ROOT}`);
  if (!HAVE_TIME) {
    console.error(`NOTE: ${GNU_TIME} is missing (Debian package "time": apt-get install -y time);`);
    console.error('      falling back to sampling /proc/PID/status every 20 ms (misses short spikes, child processes).');
  }
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) die(`${t} is not installed (apt-get install -y ${t})`);
  }
}

export function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

/** Like die, but throws, so the caller's finally still removes its temp files. */
export function fail(msg) {
  throw Object.assign(new Error(`bench: ${msg}`), { stack: `bench: ${msg}` });
}

/** A scratch dir with DRIFTSCAN_HOME pointing inside it (so no key lands in ~/.config) and a key pair. */
export function scratch(prefix = 'driftscan-bench-') {
  const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), prefix));
  process.env.DRIFTSCAN_HOME = join(dir, 'home');
  const r = spawnSync(process.execPath, [CLI, 'keygen', '--out', join(dir, 'k')], { encoding: 'utf8' });
  if (r.status !== 0) { rmSync(dir, { recursive: true, force: true }); die(`keygen failed: ${r.stderr}`); }
  // Smoke test, so a broken build fails here and not after minutes of peers.
  mkdirSync(join(dir, 'smoke'));
  writeFileSync(join(dir, 'smoke', 'f'), 'x');
  const k = join(dir, 'k', 'driftscan.key');
  const b = spawnSync(process.execPath, [CLI, 'baseline', join(dir, 'smoke'), '--key', k, '-o', join(dir, 'smoke.dsb')], { encoding: 'utf8' });
  if (b.status !== 0) rmSync(dir, { recursive: true, force: true });
  if (b.status !== 0) die(`${CLI} cannot take a baseline of a one-file tree (exit ${b.status}):\n${b.stderr}`);
  return { dir, key: join(dir, 'k', 'driftscan.key'), pub: join(dir, 'k', 'driftscan.pub'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether this build's `driftscan SUB --help` mentions FLAG (e.g. --packages appeared in 28f6fea). */
export function supports(sub, flag) {
  return spawnSync(process.execPath, [CLI, sub, '--help'], { encoding: 'utf8' }).stdout.includes(flag);
}

/** One untimed pass that reads every regular file under tree, so the page cache is warm. */
export function warm(tree) {
  const t0 = process.hrtime.bigint();
  spawnSync('sh', ['-c', 'find "$1" -xdev -type f -exec cat {} + >/dev/null 2>&1', 'sh', tree], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Counts of regular files and of all entries under tree (find, no crossing of mounts). */
export function countTree(tree) {
  const n = (args) => Number(spawnSync('sh', ['-c', `find "$1" -xdev ${args} -printf . 2>/dev/null | wc -c`, 'sh', tree],
    { encoding: 'utf8' }).stdout.trim());
  return { files: n('-type f'), entries: n('') };
}

/** countTree, then one untimed warm(), each said on stderr; `note` is added to the first line. */
export function countAndWarm(tree, note = '') {
  const counts = countTree(tree);
  process.stderr.write(`${tree}: ${counts.files} regular files, ${counts.entries} entries${note}; warming the cache…\n`);
  process.stderr.write(`  warm-up pass: ${f2(warm(tree))} s\n`);
  return counts;
}

/**
 * Run cmd once; stdout and stderr go to files in dir. Returns wall seconds (hrtime around spawn..exit),
 * peak RSS in MB (GNU time %M of the process, or /proc sampling), CPU seconds (GNU time %U + %S, every
 * thread; NaN without GNU time: steadier than wall on a loaded machine), exit code and the output tails.
 */
export function run(cmd, args, { dir, label = 'run', env } = {}) {
  const out = join(dir, `${label}.out`), err = join(dir, `${label}.err`), rssFile = join(dir, `${label}.rss`);
  const fdo = openSync(out, 'w'), fde = openSync(err, 'w');
  const argv = HAVE_TIME ? [GNU_TIME, ['-f', '%U %S %M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', fdo, fde], env: { ...process.env, ...env } });
    let sampled = 0;
    const timer = HAVE_TIME ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) sampled = Math.max(sampled, Number(m[1]));
      } catch { /* exited */ }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (timer) clearInterval(timer);
      closeSync(fdo); closeSync(fde);
      let kb = sampled, cpu = NaN;
      if (HAVE_TIME) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [user, sys, rss] = lines[lines.length - 1].split(' ').map(Number); // GNU time prefixes "Command exited with non-zero status N"
        kb = rss || 0;
        cpu = user + sys;
      }
      resolve({ wall, rssMB: kb / 1024, cpu, code: code ?? 128, signal,
        stdout: tail(out), stderr: tail(err) });
    });
  });
}

function tail(file, n = 2000) {
  const s = readFileSync(file, 'utf8');
  return s.length > n ? '…' + s.slice(-n) : s;
}

/**
 * RUNS rounds, round-robin: each round runs every spec once, so machine noise hits all of them alike.
 * spec = { label, cmd, args, ok?(code), before?(), env? }. result.wall (result.cpu: CPU seconds) is the MEDIAN over the rounds
 * (result.best the minimum, result.walls every round), RSS the maximum (conservative); result.loadBefore
 * and result.loadAfter are /proc/loadavg around all rounds. A failing exit code is reported loudly and
 * kept in result.failures.
 */
export async function rounds(specs, { dir, runs = RUNS } = {}) {
  const res = new Map(specs.map((s) => [s.label, { label: s.label, wall: NaN, best: Infinity, rssMB: 0, walls: [], cpus: [], failures: [] }]));
  const loadBefore = loadNow();
  for (let i = 0; i < runs; i++) {
    for (const s of specs) {
      const r0 = res.get(s.label), ok = s.ok ?? ((c) => c === 0);
      if (s.before) s.before();
      const r = await run(s.cmd, s.args, { dir, label: s.label.replace(/\W+/g, '_'), env: s.env });
      r0.walls.push(r.wall);
      r0.cpus.push(r.cpu);
      r0.rssMB = Math.max(r0.rssMB, r.rssMB);
      r0.last = r;
      if (!ok(r.code)) {
        r0.failures.push(r.code);
        console.error(`\n!! ${s.label}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n   ${s.cmd} ${s.args.join(' ')}\n` +
          `   stderr: ${r.stderr.trim().split('\n').slice(-8).join('\n           ')}\n`);
      }
      r0.best = Math.min(r0.best, r.wall);
      process.stderr.write(`  round ${i + 1}/${runs} ${s.label}: ${r.wall.toFixed(2)} s, ${f2(r.cpu)} CPU-s, ${r.rssMB.toFixed(0)} MB, exit ${r.code} (load ${loadNow()})\n`);
    }
  }
  const loadAfter = loadNow();
  for (const r0 of res.values()) Object.assign(r0, { wall: median(r0.walls), cpu: median(r0.cpus), loadBefore, loadAfter });
  return res;
}

/** Every round of every result, for the line under a table: "label: 1.23/1.31/1.27 s". */
export function allRounds(results) {
  return [...results].map((x) => `${x.label.split(' (')[0]}: ${x.walls.map(f2).join('/')}`).join('; ');
}

/** Drops the page cache (root only): every file is read from the disk again. Returns false when it cannot. */
export function dropCaches() {
  return spawnSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' }).status === 0;
}

export function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
export const mb = (x) => (x ? x.toFixed(0) : '—');
export const kps = (n, s) => (Number.isFinite(s) && s > 0 ? Math.round(n / s).toLocaleString('en-US') : '—');
export const ratio = (a, b) => (a && b && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : '—');

/** AIDE attributes matching what driftscan records (no rdev/owner-name equivalents in AIDE). */
export const AIDE_RULE = 'p+i+n+u+g+s+m+c+l+ftype+sha256+xattrs+caps';

/** An AIDE config selecting tree (AIDE selection lines are regexes) with the given rule. */
export function aideConf(path, { tree, dbIn, dbOut, rule, workers = 2 }) {
  const rx = tree.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&').replace(/\/+$/, '') || '/';
  writeFileSync(path, [
    `database_in=file:${dbIn}`, `database_out=file:${dbOut}`, 'gzip_dbout=no', 'database_attrs=E',
    `num_workers=${workers}`, 'log_level=error', 'report_url=stdout',
    `DS = ${rule}`, `${rx} DS`, '',
  ].join('\n'));
  return path;
}

/** Header lines shared by every benchmark's output. */
export function banner(title, extra = '') {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? '?';
  const cores = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  return `## ${title}\n\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cores} cores (${cpu}) · ` +
    `Node ${process.version} · median of ${RUNS} rounds (env BENCH_RUNS) · load avg ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end` +
    `${extra ? ` · ${extra}` : ''}\n`;
}

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** /proc/loadavg's three averages, as printed. */
export function loadNow() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
