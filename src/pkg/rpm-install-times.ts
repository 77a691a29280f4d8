/**
 * When each installed rpm was installed: the header's INSTALLTIME (the
 * transaction's time, seconds), the start of the window in which triage
 * takes a change for a side effect of that package's scriptlets.
 * "name\0epoch:version-release" -> seconds, EVR as rpm -qa prints it for the diff.
 */
import { ensureRpmDb, runRpm } from './rpm.js';
import { shellWords } from './shell-words.js';
import type { RunOptions } from './run.js';

const FORMAT = '%{NAME:shescape} %{EVR:shescape} %{INSTALLTIME}\\n';

export function parseInstallTimes(output: string): Map<string, number> {
  const words = shellWords(output);
  const out = new Map<string, number>();
  for (let i = 0; i + 2 < words.length; i += 3) {
    const time = Number(words[i + 2]);
    if (Number.isInteger(time)) out.set(`${words[i]}\0${words[i + 1]}`, time);
  }
  return out;
}

/** Install times, or an empty map when rpm cannot say (no window: side effects are then not explained). */
export async function readRpmInstallTimes(root: string, opts: RunOptions = {}): Promise<Map<string, number>> {
  try {
    const r = await runRpm(root, ensureRpmDb(root), ['-qa', '--qf', FORMAT], opts);
    return r.code === 0 && !r.timedOut ? parseInstallTimes(r.stdout.toString('latin1')) : new Map();
  } catch {
    return new Map();
  }
}
