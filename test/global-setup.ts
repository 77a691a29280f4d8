/**
 * Builds dist/ once, from scratch, before any test runs. CLI tests run the
 * built binary and tests from src/ load the built hash worker: a dist/ left
 * from an older build (or holding a file since deleted from src/) would mix
 * old and new code without a word.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default function buildDist(): void {
  const dist = path.join(ROOT, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  fs.chmodSync(path.join(dist, 'cli/main.js'), 0o755);
}
