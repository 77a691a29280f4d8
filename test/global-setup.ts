/**
 * Builds dist/ once, from scratch, before any test runs. CLI tests run the
 * built binary and tests from src/ load the built hash worker: a dist/ left
 * from an older build (or holding a file since deleted from src/) would mix
 * old and new code without a word.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Also gives the run its own TMPDIR, removed at the end: the tests' trees, keys
 * and the CLI's scratch go there (thousands of directories a run), and a test
 * that fails or is killed leaves nothing in /tmp. The workers and every CLI they
 * spawn inherit it; a test that sets TMPDIR itself still does.
 */
export default function setup(): () => void {
  buildDist();
  const saved = process.env.TMPDIR;
  const runTmp = fs.mkdtempSync(path.join(saved ?? os.tmpdir(), 'driftscan-run-'));
  // Like /tmp: tests run the CLI as other users too, and their scratch goes here.
  fs.chmodSync(runTmp, 0o1777);
  process.env.TMPDIR = runTmp;
  return () => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    // rm(1), not fs.rmSync: some trees are deeper than PATH_MAX (rm walks with openat).
    try {
      execFileSync('rm', ['-rf', '--one-file-system', runTmp], { stdio: 'ignore' });
    } catch {
      // Something mounted or busy in there: leave it, as /tmp held everything before.
    }
  };
}

function buildDist(): void {
  const dist = path.join(ROOT, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  fs.chmodSync(path.join(dist, 'cli/main.js'), 0o755);
}
