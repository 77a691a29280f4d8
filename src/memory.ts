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

/**
 * Collects when the heap has grown by `step` bytes since the last collection:
 * whatever garbage a long walk makes, it never piles up past that.
 */
export function heapWatcher(step: number): () => void {
  let base = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size - base < step) return;
    collectGarbage();
    base = v8.getHeapStatistics().used_heap_size;
  };
}

/** Collects unless the heap is smaller than `unlessBelow` bytes (then V8 copes alone). */
export function collectGarbage(unlessBelow = 0): void {
  if (unlessBelow > 0 && v8.getHeapStatistics().used_heap_size < unlessBelow) return;
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
