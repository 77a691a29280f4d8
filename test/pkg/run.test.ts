import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PackageToolError } from '../../src/errors.js';
import { runTool } from '../../src/pkg/run.js';

/** Running, as opposed to gone or a zombie waiting for a parent that may never reap it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('runTool', () => {
  it('passes arguments without a shell and returns raw bytes', async () => {
    const r = await runTool('/usr/bin/printf', ['%s\\n', '$(echo no) ; `x`', '\xe9']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString('utf8')).toBe('$(echo no) ; `x`\n\xe9\n');
    expect(r.timedOut).toBe(false);
  });

  it('gives the child a fixed C locale and no inherited variables', async () => {
    process.env.DPKG_ADMINDIR = '/somewhere/else';
    try {
      const r = await runTool('/usr/bin/env', []);
      const vars = r.stdout.toString('latin1').split('\n').filter(Boolean).sort();
      expect(vars).toEqual(['LANG=C', 'LC_ALL=C', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin']);
    } finally {
      delete process.env.DPKG_ADMINDIR;
    }
  });

  it('kills the whole process group on timeout and keeps what was printed', async () => {
    // The shell waits 30 s for its child: only the timeout's kill ends it before the test's own timeout.
    const r = await runTool('/bin/sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    const grandchild = Number(r.stdout.toString().trim());
    expect(grandchild).toBeGreaterThan(0);
    // SIGKILL to the group is delivered at once; the wait only lets init reap it (bounded: 100 tries of 20 ms).
    for (let i = 0; i < 100 && running(grandchild); i++) await new Promise((res) => setTimeout(res, 20));
    expect(running(grandchild)).toBe(false);
  });

  it('turns a program that cannot be started into a PackageToolError', async () => {
    await expect(runTool('/nonexistent/rpm', [])).rejects.toThrow(PackageToolError);
  });
});
