/**
 * A hash worker: loads and checks the hasher once, then hashes batches of
 * files into the hasher's read buffer. All logic lives in digest.ts.
 */
import { parentPort } from 'node:worker_threads';
import { hashFile, type HashResult } from './digest.js';
import { loadXxh64, type Xxh64 } from './xxh.js';
import { answerOf, tasksOf, type BatchReply, type BatchRequest } from './batch.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('hash worker started outside a worker thread');
  let xxh: Xxh64;
  try {
    xxh = await loadXxh64();
  } catch (err) {
    port.postMessage({ id: -1, fatal: (err as Error).message } satisfies BatchReply);
    return;
  }
  port.on('message', (req: BatchRequest) => {
    const results: HashResult[] = [];
    for (const task of tasksOf(req)) results.push(hashFile(task, xxh));
    port.postMessage(answerOf(req.id, results) satisfies BatchReply);
  });
}

void main();
