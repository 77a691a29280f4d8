/**
 * A rules file, parsed and compiled. Line-oriented, one directive a line:
 *
 *   use default             start from the default policy (must come first)
 *   include PATH            walk PATH and everything below it (a warning, recorded
 *                           in the baseline, when it is not there)
 *   include-if-present PATH the same, without the warning (the default policy's
 *                           /lib32, /opt ... that many hosts lack)
 *   exclude GLOB            skip matching paths and everything below them
 *   attrs GLOB SPEC...      adjust the attributes of matching paths: +NAME, -NAME,
 *                           or a set: all, none, fast (all but the secure digests: sha256)
 *   config GLOB             mark matching files as configuration (`c`)
 *   growing GLOB            logs that may only grow by appending
 *   cross-filesystems       descend into other mounted filesystems (default: stay)
 *
 * `attrs` rules apply in file order to every path they match; globs match the
 * whole path (`/etc/**` for everything under /etc). An include wins over the
 * excludes: `include /dev` walks /dev though the default excludes it.
 * Directives are read only where a line starts with them; `#` starts a comment
 * at the start of a line or after a space.
 */
import { checkIgnoreDiff } from './ignore-diff.js';
import { PolicyError } from '../errors.js';
import { ALL_ATTRS, DEFAULT_ATTRS, DIGEST_ROWS, attrRow } from '../attrs/registry.js';
import type { BytePath } from '../types.js';
import { DEFAULT_POLICY } from './default.js';
import { globToRegExp, isGlob, literalPrefix } from './glob.js';
import { checkGlob, checkStart } from './patterns.js';
import { CompiledPolicy, type AttrRule, type Matcher, type Policy, type StartPath } from './compiled.js';

export type { Policy, StartPath } from './compiled.js';

export const ATTR_SETS: Readonly<Record<string, readonly string[]>> = {
  all: DEFAULT_ATTRS,
  none: [],
  fast: DEFAULT_ATTRS.filter((n) => !attrRow(n)?.digest?.secure),
};

function utf8Bytes(s: string): BytePath {
  return Buffer.from(s, 'utf8').toString('latin1');
}

function matcher(raw: string, directive: string, lineNo: number, where: string, stored: boolean): Matcher {
  const pattern = checkGlob(raw, directive, lineNo, where, stored);
  const bytes = utf8Bytes(pattern);
  if (!isGlob(bytes) && !bytes.includes('\\')) return { test: (path) => path === bytes };
  let re: RegExp;
  try {
    re = globToRegExp(bytes);
  } catch (err) {
    throw new PolicyError(`${where}:${lineNo}: ${(err as Error).message}`);
  }
  // Most paths fail on the literal prefix, before any regular expression runs.
  const prefix = literalPrefix(bytes);
  return { test: (path) => path.startsWith(prefix) && re.test(path) };
}

function attrOps(specs: string[], lineNo: number, where: string): AttrRule['ops'] {
  if (specs.length === 0) throw new PolicyError(`${where}:${lineNo}: attrs needs at least one +NAME, -NAME or set`);
  return specs.map((spec) => {
    const sign = spec[0];
    const name = sign === '+' || sign === '-' ? spec.slice(1) : spec;
    const names = ATTR_SETS[name] ?? (attrRow(name) ? [name] : undefined);
    if (!names) {
      throw new PolicyError(
        `${where}:${lineNo}: unknown attribute '${name}' (known: ${[...Object.keys(ATTR_SETS), ...ALL_ATTRS].join(', ')})`,
      );
    }
    // A bare set name replaces; +/- adjusts.
    if (sign !== '+' && sign !== '-') return { add: true, names, replace: true };
    return { add: sign === '+', names };
  });
}

/**
 * The policy stored in a baseline, read with the meaning it had when the
 * baseline was taken: baselines taken before patterns were checked may hold a
 * glob that never matched (`exclude *.log`) or an include glob that walked
 * nothing, and one whose comment named 'use default' holds the directive a
 * second time, after the default policy it already spells out. They are read
 * as they were walked, not refused: refusing would make the baseline unusable.
 */
export function parseStoredPolicy(text: string): Policy {
  return parsePolicy(text, 'baseline policy', true);
}

/** Parses rules text into a Policy; `where` names the file in errors. */
export function parsePolicy(text: string, where = 'rules', stored = false): Policy {
  const lines = text.split('\n');
  let source = text;
  const starts: StartPath[] = [];
  const excludes: Matcher[] = [];
  const configs: Matcher[] = [];
  const growing: Matcher[] = [];
  const attrRules: AttrRule[] = [];
  let crossFilesystems = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    // [^]: a comment runs to the end of the line, over a carriage return too (a CRLF file).
    const line = raw.replace(/(^|\s)#[^]*$/, '').trim();
    if (!line) return;
    const [directive, ...args] = line.split(/\s+/);
    const one = (): string => {
      if (args.length !== 1) throw new PolicyError(`${where}:${lineNo}: ${directive} takes exactly one path or glob`);
      return args[0]!;
    };
    switch (directive) {
      case 'use':
        if (args.join(' ') !== 'default') throw new PolicyError(`${where}:${lineNo}: only 'use default' is known`);
        // A stored text holds the default policy already; a second 'use default' in it adds nothing.
        if (stored && starts.length > 0) break;
        if (starts.length + excludes.length + configs.length + attrRules.length > 0) {
          throw new PolicyError(`${where}:${lineNo}: 'use default' must come before other directives`);
        }
        {
          const base = parsePolicy(DEFAULT_POLICY, 'default policy') as CompiledPolicy;
          starts.push(...base.starts);
          excludes.push(...base.parts.excludes);
          configs.push(...base.parts.configs);
          growing.push(...base.parts.growing);
          attrRules.push(...base.parts.attrRules);
          // This line, not the first line that mentions it (a comment may).
          const rest = lines.map((l, i) => (i === index ? '' : l)).join('\n');
          source = DEFAULT_POLICY + '\n# --- extended by ' + where + '\n' + rest;
        }
        break;
      case 'include':
      case 'include-if-present': {
        const path = utf8Bytes(checkStart(one(), directive, lineNo, where, stored));
        starts.push({ path, optional: directive !== 'include', line: `${where}:${lineNo}` });
        break;
      }
      case 'exclude':
        excludes.push(matcher(one(), directive, lineNo, where, stored));
        break;
      case 'config':
        configs.push(matcher(one(), directive, lineNo, where, stored));
        break;
      case 'growing':
        growing.push(matcher(one(), directive, lineNo, where, stored));
        break;
      case 'attrs': {
        const [glob, ...specs] = args;
        if (!glob) throw new PolicyError(`${where}:${lineNo}: attrs needs a glob and attribute changes`);
        attrRules.push({ match: matcher(glob, 'attrs', lineNo, where, stored), ops: attrOps(specs, lineNo, where) });
        break;
      }
      case 'trust-local-packages': // read by src/triage/trust.ts from the stored text
        if (args.length) throw new PolicyError(`${where}:${lineNo}: trust-local-packages takes no argument`);
        break;
      case 'ignore-diff': // read by `diff` (ignore-diff.ts): the walk is not changed by it
        checkIgnoreDiff(args, `${where}:${lineNo}`);
        break;
      case 'cross-filesystems':
        if (args.length) throw new PolicyError(`${where}:${lineNo}: cross-filesystems takes no argument`);
        crossFilesystems = true;
        break;
      default:
        throw new PolicyError(`${where}:${lineNo}: unknown directive '${directive}'`);
    }
  });
  if (starts.length === 0) throw new PolicyError(`${where}: no include directive; nothing to walk`);
  return new CompiledPolicy(source, starts, crossFilesystems, { excludes, configs, growing, attrRules });
}


/** Rules text for explicit start paths: the default excludes and marks, those paths as includes. */
export function policyForPaths(paths: string[], base = DEFAULT_POLICY): string {
  const kept = base.split('\n').filter((l) => !/^\s*include(-if-present)?\s/.test(l));
  return [...paths.map((p) => `include ${p}`), ...kept].join('\n');
}

/** Appends `attrs /** -sha256` (each secure digest) for --fast, so the stored policy says what was recorded. */
export function withFastMode(text: string): string {
  const secure = DIGEST_ROWS.filter((r) => r.digest!.secure).map((r) => `-${r.name}`);
  const fast = DIGEST_ROWS.filter((r) => !r.digest!.secure).map((r) => r.name);
  return text.replace(/\n*$/, '\n') + `# --fast: ${fast.join(', ')} only\nattrs /** ${secure.join(' ')}\n`;
}
