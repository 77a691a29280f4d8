/**
 * Runs the built CLI with standard output and/or standard error on a real
 * pseudo-terminal (python3's os.openpty, raw mode so nothing is translated),
 * the other on a pipe: what a person at a terminal, or a pipe, sees.
 */
import { spawnSync } from 'node:child_process';
import { CLI, type CliResult } from './cli.js';

const RUN = `
import json, os, select, subprocess, sys, tty
argv, out_tty, err_tty = json.loads(sys.argv[1]), sys.argv[2] == '1', sys.argv[3] == '1'
def channel(on_tty):
    if on_tty:
        master, slave = os.openpty()
        tty.setraw(slave)
        return master, slave
    return os.pipe()
om, osl = channel(out_tty)
em, esl = channel(err_tty)
p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=osl, stderr=esl)
os.close(osl); os.close(esl)
bufs = {om: b'', em: b''}
live = [om, em]
while live:
    ready, _, _ = select.select(live, [], [])
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if data:
            bufs[fd] += data
        else:
            live.remove(fd)
print(json.dumps({'code': p.wait(), 'stdout': bufs[om].decode('latin1'), 'stderr': bufs[em].decode('latin1')}))
`;

/** `driftscan ARGS` with stdout and/or stderr on a terminal; outputs as latin1 (one char per byte). */
export function onTerminal(args: string[], where: { stdout?: boolean; stderr?: boolean }, env: Record<string, string | undefined> = {}): CliResult {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, SOURCE_DATE_EPOCH: '1700000000', ...env })) if (v !== undefined) merged[k] = v;
  const r = spawnSync('python3', ['-c', RUN, JSON.stringify([process.execPath, CLI, ...args]), where.stdout ? '1' : '0', where.stderr ? '1' : '0'], {
    encoding: 'utf8', env: merged, timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`pty runner failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
