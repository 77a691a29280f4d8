/**
 * JUnit XML for CI test report views (GitLab, Jenkins, GitHub test-report
 * actions): one test case per finding class (status x explained or not), a
 * failure for each class holding unexplained findings, the findings' text
 * lines inside it. A class with nothing in it passes, so the view shows what
 * was checked as well as what failed.
 */
import type { Finding, FindingStatus } from '../types.js';
import { displayPath } from '../paths.js';
import { escapeLines } from './escape.js';
import { textLine } from './text.js';
import { STATUSES, isUnexplained } from './finding-class.js';
import type { Reporter } from './reporters.js';

/**
 * XML 1.0 allows no control character but tab, LF and CR (not even as a
 * character reference), and C1 codes only by courtesy: escape them as text
 * (`\x1b`), then XML's five specials. Tree text is escaped before it gets here;
 * this keeps the document well-formed whatever slips through.
 */
export function xmlText(text: string): string {
  return text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      (c) => (c.charCodeAt(0) <= 0xff ? '\\x' : '\\u') + c.charCodeAt(0).toString(16).padStart(c.charCodeAt(0) <= 0xff ? 2 : 4, '0'))
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

interface Case {
  status: FindingStatus;
  unexplained: boolean;
  findings: Finding[];
}

function cases(findings: readonly Finding[]): Case[] {
  const out: Case[] = [];
  for (const status of STATUSES) {
    for (const unexplained of [true, false]) {
      out.push({ status, unexplained, findings: findings.filter((f) => f.status === status && isUnexplained(f) === unexplained && f.triage !== 'preexisting') });
    }
  }
  return out;
}

function caseXml(c: Case): string {
  const name = `${c.status} paths ${c.unexplained ? 'unexplained' : 'explained by package operations'}`;
  const lines = c.findings.map((f) => textLine(f, true)).join('\n');
  const head = `    <testcase classname="driftscan.${c.status}" name="${xmlText(name)}" time="0"`;
  if (c.findings.length === 0) return `${head}/>`;
  const count = `${c.findings.length} ${c.status} path${c.findings.length === 1 ? '' : 's'}`;
  const body = c.unexplained
    ? `      <failure message="${xmlText(`${count} not explained by a package operation`)}" type="${c.status}">${xmlText(lines)}</failure>`
    : `      <system-out>${xmlText(lines)}</system-out>`;
  return `${head}>\n${body}\n    </testcase>`;
}

export const junitReporter: Reporter = (report, out) => {
  const all = cases(report.findings);
  const failures = all.filter((c) => c.unexplained && c.findings.length).length;
  const stamp = report.time ? ` timestamp="${xmlText(report.time.replace(/\.\d+Z$/, ''))}"` : '';
  const suite = `tests="${all.length}" failures="${failures}" errors="0" skipped="0"`;
  const diagnostics = report.diagnostics.length ? `    <system-err>${xmlText(report.diagnostics.map((d) => escapeLines(d)).join('\n'))}</system-err>\n` : '';
  out.write('<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="driftscan" ${suite}>\n` +
    `  <testsuite name="driftscan scan of ${xmlText(displayPath(report.root))}" ${suite} time="0"${stamp}>\n` +
    `${all.map(caseXml).join('\n')}\n${diagnostics}` +
    '  </testsuite>\n</testsuites>\n');
};
