/**
 * A parsed policy, compiled: the start paths to walk and the matchers that
 * decide what is excluded, configuration, growing, and which attributes a
 * path gets. Built by parsePolicy (policy.ts).
 */
import { ATTRIBUTES, DEFAULT_ATTRS } from '../attrs/registry.js';
import type { BytePath, FileKind } from '../types.js';
import { isUnder } from '../paths.js';

export interface Matcher {
  test(path: BytePath): boolean;
}

export interface AttrRule {
  match: Matcher;
  ops: Array<{ add: boolean; names: readonly string[]; replace?: boolean }>;
}

/** One include line: where it was written and whether its absence is worth a warning. */
export interface StartPath {
  path: BytePath;
  optional: boolean;
  /** `file:line`, for warnings. */
  line: string;
}

export interface Policy {
  /** The rules text, stored in the baseline and used again by the scan. */
  text: string;
  /** The start paths to walk: nested ones dropped unless an exclude lies between. */
  includes: BytePath[];
  /** Every include line, in file order. */
  starts: StartPath[];
  crossFilesystems: boolean;
  isExcluded(path: BytePath): boolean;
  isConfig(path: BytePath): boolean;
  isGrowing(path: BytePath): boolean;
  /** Attribute names for a path of this kind, in registry order. */
  attrsFor(path: BytePath, kind: FileKind): string[];
  /** True when a walk under this policy reaches the path: below an include, neither it nor a parent excluded. */
  covers(path: BytePath): boolean;
}

/** True when an exclude matches `path` or a directory between it and `start` (start itself not tested). */
function excludedBelow(path: BytePath, start: BytePath, isExcluded: (p: BytePath) => boolean): boolean {
  for (let p = path; p.length > start.length; p = p.slice(0, Math.max(1, p.lastIndexOf('/')))) {
    if (isExcluded(p)) return true;
  }
  return false;
}

export class CompiledPolicy implements Policy {
  readonly includes: BytePath[];

  constructor(
    readonly text: string,
    readonly starts: StartPath[],
    readonly crossFilesystems: boolean,
    readonly parts: { excludes: Matcher[]; configs: Matcher[]; growing: Matcher[]; attrRules: AttrRule[] },
  ) {
    // A nested include is walked as part of its parent, unless an exclude
    // between them would skip it: then it is a start of its own (an include wins).
    const sorted = [...new Set(starts.map((s) => s.path))].sort();
    const excluded = (p: BytePath) => this.isExcluded(p);
    this.includes = sorted.filter((p) => !sorted.some((q) => q !== p && isUnder(p, q) && !excludedBelow(p, q, excluded)));
  }

  isExcluded(path: BytePath): boolean {
    return this.parts.excludes.some((m) => m.test(path));
  }

  isConfig(path: BytePath): boolean {
    return this.parts.configs.some((m) => m.test(path));
  }

  isGrowing(path: BytePath): boolean {
    return this.parts.growing.some((m) => m.test(path));
  }

  covers(path: BytePath): boolean {
    const excluded = (p: BytePath) => this.isExcluded(p);
    return this.includes.some((start) => isUnder(path, start) && !excludedBelow(path, start, excluded));
  }

  private readonly attrCache = new Map<string, string[]>();

  attrsFor(path: BytePath, kind: FileKind): string[] {
    // The answer depends only on which attrs rules match, and the kind: cache on that.
    let key = kind;
    const rules = this.parts.attrRules;
    for (let i = 0; i < rules.length; i++) if (rules[i]!.match.test(path)) key += ',' + i;
    let names = this.attrCache.get(key);
    if (!names) {
      names = this.computeAttrs(path, kind);
      this.attrCache.set(key, names);
    }
    return names;
  }

  private computeAttrs(path: BytePath, kind: FileKind): string[] {
    let chosen = new Set(DEFAULT_ATTRS);
    for (const rule of this.parts.attrRules) {
      if (!rule.match.test(path)) continue;
      for (const op of rule.ops) {
        if (op.replace) chosen = new Set(op.names);
        else for (const n of op.names) op.add ? chosen.add(n) : chosen.delete(n);
      }
    }
    chosen.add('type');
    return ATTRIBUTES.filter((row) => chosen.has(row.name) && row.appliesTo(kind)).map((row) => row.name);
  }
}
