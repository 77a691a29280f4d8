/**
 * Parses `dpkg --verify` output (dpkg 1.17+, the only format is rpm's):
 *
 *   ??5?????? c /etc/foo.conf     flags, one space, marker, one space, path
 *   missing     /usr/bin/gone     "missing" padded to the flags' width
 *
 * dpkg only checks the md5sum, so every other column is `?`. The marker is
 * `c` for a conffile or a space.
 */
import type { Finding } from '../types.js';
import { isFlagString, makeFinding, outputLines, type ParseOptions, type ParsedVerify } from './verify-lines.js';

const FLAG_LINE = /^(\S{9}) ([a-zA-Z ]) (\/.*)$/s;
const MISSING_LINE = /^missing {3}([a-zA-Z ]) (\/.*)$/s;

export function parseDpkgVerify(output: Buffer | string, opts: ParseOptions = {}): ParsedVerify {
  const findings: Finding[] = [];
  const diagnostics: string[] = [];
  for (const line of outputLines(output)) {
    const missing = MISSING_LINE.exec(line);
    if (missing) {
      findings.push(makeFinding('dpkg', 'missing', undefined, missing[1], missing[2], opts));
      continue;
    }
    const flagged = FLAG_LINE.exec(line);
    if (flagged && isFlagString(flagged[1])) {
      findings.push(makeFinding('dpkg', 'changed', flagged[1], flagged[2], flagged[3], opts));
      continue;
    }
    if (line.trim() !== '') diagnostics.push(line);
  }
  return { findings, diagnostics };
}
