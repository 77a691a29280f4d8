/**
 * Globs over root-relative BytePaths: `**` matches across slashes, `*` and `?`
 * stay within one component, `[...]` is a byte class (`[!...]` negates).
 */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // `/**/` also matches a single slash, so /a/**/b matches /a/b.
        if (glob[i + 1] === '/' && glob[i - 2] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`unclosed [ in glob ${JSON.stringify(glob)}`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new Error(`empty [] in glob ${JSON.stringify(glob)}`);
      re += '[' + (negate ? '^' : '') + body.replace(/[\\\]^]/g, '\\$&') + ']';
      i = end;
    } else if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) throw new Error(`trailing \\ in glob ${JSON.stringify(glob)}`);
      re += escapeRe(next);
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(re + '$', 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

/** True when the pattern has glob syntax (and so is not a plain path). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** The literal text before a glob's first special character: a cheap first test. */
export function literalPrefix(glob: string): string {
  const i = glob.search(/[*?[\\]/);
  return i < 0 ? glob : glob.slice(0, i);
}
