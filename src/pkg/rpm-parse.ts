/**
 * Parses `rpm -Va` output (rpm 4.x, lib/verify.c layout):
 *
 *   S.5....T.  c /etc/foo.conf          flags, two spaces, marker, space, path
 *   missing   c /etc/bar (Permission denied)
 *                                       "missing" sits one column left of flags
 *   .........    /usr/lib/x (replaced)  a file state is printed even when clean
 *   Unsatisfied dependencies for foo-1.0-1.noarch:
 *   \tbar is needed by (installed) foo-1.0-1.noarch
 *
 * The marker is the first of the file's attribute letters (c d g l r, and the
 * rarer s m n a) or a space. rpm does not name the package; the caller adds it.
 */
import type { Finding } from '../types.js';
import { isFlagString, makeFinding, outputLines, type ParseOptions, type ParsedVerify } from './verify-lines.js';

const FLAG_LINE = /^(\S{8,9}) {2}([a-zA-Z ]) (\/.*)$/s;
const MISSING_LINE = /^missing {3}([a-zA-Z ]) (\/.*)$/s;
const DEPENDENCY_HEAD = /^Unsatisfied dependencies for /;

export function parseRpmVerify(output: Buffer | string, opts: ParseOptions = {}): ParsedVerify {
  const findings: Finding[] = [];
  const diagnostics: string[] = [];
  for (const line of outputLines(output)) {
    const missing = MISSING_LINE.exec(line);
    if (missing) {
      findings.push(makeFinding('rpm', 'missing', undefined, missing[1], missing[2], opts));
      continue;
    }
    const flagged = FLAG_LINE.exec(line);
    if (flagged && isFlagString(flagged[1])) {
      findings.push(makeFinding('rpm', 'changed', flagged[1], flagged[2], flagged[3], opts));
      continue;
    }
    // A dependency problem is a header line plus tab-indented detail lines;
    // keep them together so the report reads as rpm printed it.
    if (line.startsWith('\t') && diagnostics.length > 0 && DEPENDENCY_HEAD.test(diagnostics[diagnostics.length - 1].split('\n')[0])) {
      diagnostics[diagnostics.length - 1] += '\n' + line;
      continue;
    }
    if (line.trim() !== '') diagnostics.push(line);
  }
  return { findings, diagnostics };
}
