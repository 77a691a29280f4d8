/**
 * A full garbage collection between the phases of a run. After a walk of a
 * million entries V8 holds about as much garbage as live data, and lets the
 * heap grow rather than collect; encoding or comparing next would add its own
 * allocations on top. Collecting once at that boundary keeps the peak near
 * what is live (bench/million.mjs). V8 exposes gc() only behind a flag, which
 * can be set at run time; it costs a fraction of a second per million entries.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
