/**
 * Full garbage collections during a walk. The walk streams (each entry is
 * encoded or compared and dropped), but entries that wait in the snapshot's
 * reorder window live long enough to be promoted, and V8 lets the old
 * generation grow with their garbage rather than collect. Collecting whenever
 * the heap has grown by a step keeps the peak near what is live
 * (bench/million.mjs). V8 exposes gc() only behind a flag, which can be set
 * at run time.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Collects when the heap has grown by `step` bytes since the last collection,
 * or by as much as was live after it if that is more: whatever garbage a long
 * walk makes, it never piles up past that, and a scan that keeps a hundred MB
 * of package data on purpose is not stopped for a full collection each time
 * it keeps a little more (two such pauses of ~0.1 s each on a /usr scan).
 */
export function heapWatcher(step: number): () => void {
  let base = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size - base < Math.max(step, base)) return;
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
