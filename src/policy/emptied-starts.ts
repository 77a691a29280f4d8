/**
 * Include lines whose whole subtree an exclude removes (`include /` with
 * `exclude /**`): the walk records the start directory and nothing below it,
 * and every scan of that is clean. Told by `policy --check`; rules are checked
 * without a tree, so the test is by probe names under the start that any real
 * child's name would share a pattern with (a letter, a digit, a dot file,
 * punctuation, a high byte).
 */
import type { Policy, StartPath } from './compiled.js';

const PROBES = ['a', 'Z', '0', '.a', '-', '_', '~', 'a.b', '\xff'];

export function startsEmptied(policy: Policy): StartPath[] {
  return policy.starts.filter((start) => {
    const base = start.path === '/' ? '' : start.path;
    return PROBES.every((name) => !policy.covers(`${base}/${name}`));
  });
}
