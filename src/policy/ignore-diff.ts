/**
 * `ignore-diff NAME` in a rules file: differences `diff` expects between two
 * hosts built from one image, masked by named rule. A masked finding is
 * listed as masked in the report, never dropped silently.
 */
import { PolicyError } from '../errors.js';
import { globToRegExp } from './glob.js';

/** Each named rule's globs (root-relative paths). */
export const IGNORE_DIFF_RULES: Readonly<Record<string, readonly string[]>> = {
  'host-identity': [
    '/etc/hostname',
    '/etc/machine-id',
    '/var/lib/dbus/machine-id',
    '/etc/ssh/ssh_host_*',
    '/var/lib/cloud',
    '/var/lib/cloud/**',
  ],
};

export interface IgnoreDiff {
  /** The rule that masks this path, if one does. */
  ruleFor(path: string): string | undefined;
  names: string[];
  /** The rules say `trust-local-packages`: diff's triage trusts the package changes' origin. */
  trustLocal: boolean;
}

/** The names after `ignore-diff` in rules text; other directives are the walk's, checked by parsePolicy. */
export function parseIgnoreDiff(text: string, where: string): IgnoreDiff {
  const names: string[] = [];
  let trustLocal = false;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#[^]*$/, '').trim();
    const [directive, ...args] = line.split(/\s+/);
    if (directive === 'trust-local-packages') trustLocal = true;
    if (directive !== 'ignore-diff') return;
    names.push(checkIgnoreDiff(args, `${where}:${index + 1}`));
  });
  const rules = names.map((name) => ({ name, res: IGNORE_DIFF_RULES[name]!.map(globToRegExp) }));
  return {
    names,
    trustLocal,
    ruleFor: (path) => rules.find((r) => r.res.some((re) => re.test(path)))?.name,
  };
}

/** One known rule name, or a PolicyError naming the line. */
export function checkIgnoreDiff(args: string[], at: string): string {
  const known = Object.keys(IGNORE_DIFF_RULES);
  if (args.length !== 1 || !known.includes(args[0]!)) {
    throw new PolicyError(`${at}: ignore-diff takes one rule name (known: ${known.join(', ')})`);
  }
  return args[0]!;
}
