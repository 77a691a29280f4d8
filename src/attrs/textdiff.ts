/**
 * The only importer of `diff`: a unified diff of a configuration file's old
 * and new text, for the report. Writing a line diff by hand would be the
 * Myers algorithm again; the package is small, dependency-free and exact.
 */
import { structuredPatch } from 'diff';

const MAX_LINES = 200;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: string): string | undefined {
  const buf = Buffer.from(bytes, 'latin1');
  if (buf.includes(0)) return undefined;
  try {
    return utf8.decode(buf);
  } catch {
    return undefined;
  }
}

/** `@@ -1,3 +1,3 @@` hunks with -/+/space lines; binary content is said to differ, not shown. */
export function unifiedDiff(old: string, now: string): string {
  const a = asText(old);
  const b = asText(now);
  if (a === undefined || b === undefined) return 'binary content differs';
  const patch = structuredPatch('old', 'new', a, b, '', '', { context: 2 });
  const lines: string[] = [];
  // An empty side starts at line 0, as GNU diff and patch write it.
  const start = (line: number, count: number) => (count === 0 ? line - 1 : line);
  for (const h of patch.hunks) {
    lines.push(`@@ -${start(h.oldStart, h.oldLines)},${h.oldLines} +${start(h.newStart, h.newLines)},${h.newLines} @@`, ...h.lines);
  }
  if (lines.length > MAX_LINES) return [...lines.slice(0, MAX_LINES), `... ${lines.length - MAX_LINES} more lines`].join('\n');
  return lines.join('\n');
}
