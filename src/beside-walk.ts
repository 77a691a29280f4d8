/**
 * The main thread's turns, shared between a walk and the work beside it (a
 * package database read and checked while the walk runs). Both let the
 * event loop in every so often; with plain turns they took them in turn, and
 * while a scan read dpkg's database the walk ran half the time, fell behind
 * the hashing, and the hash workers sat idle (~0.6 s each on /usr). Work
 * beside a walk takes its turns through besideWalk(): while the walk is only
 * pausing and is not far enough ahead of the hashing, the walk goes first.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Each running walk's answer to: should the work beside me wait? */
const walks = new Set<() => boolean>();

/** A walk says when it needs the thread; call the result when it ends. */
export function giveWalkPriority(needsThread: () => boolean): () => void {
  walks.add(needsThread);
  return () => void walks.delete(needsThread);
}

function walkNeedsThread(): boolean {
  for (const needs of walks) if (needs()) return true;
  return false;
}

/**
 * A turn of the event loop for work beside a walk: it resumes once no walk
 * needs the thread. A walk needs it only while it pauses between slices (it
 * runs again in the very next turn), so this never waits on anything else.
 */
export async function besideWalk(): Promise<void> {
  await nextTurn();
  while (walkNeedsThread()) await nextTurn();
}
