/**
 * A hash worker: checks the addon's xxh64 once, then hashes each batch in one
 * call (run-batch.ts) and sends the answers back transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkKernel, READ_BUFFER_BYTES, runBatch } from './run-batch.js';
import type { BatchReply, BatchRequest } from './batch.js';
import type { WorkerData } from './pool.js';

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('hash worker started outside a worker thread');
  try {
    checkKernel();
  } catch (err) {
    port.postMessage({ id: -1, fatal: (err as Error).message } satisfies BatchReply);
    return;
  }
  const buf = Buffer.alloc(READ_BUFFER_BYTES);
  port.on('message', (req: BatchRequest) => {
    const { answer, transfer } = runBatch(req, buf, (workerData as WorkerData).aheadFiles);
    port.postMessage(answer satisfies BatchReply, transfer);
  });
}

main();
