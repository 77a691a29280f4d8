/**
 * SARIF 2.1.0 (OASIS): one result per finding not explained by a package
 * operation, for code-scanning views (GitHub, GitLab, Azure DevOps). Rules are
 * the finding classes; locations are file URIs of the path's bytes; every text
 * from the scanned tree is escaped as in the text report.
 */
import type { Finding } from '../types.js';
import { TOOL_VERSION } from '../baseline/format.js';
import { displayPath } from '../paths.js';
import { escapeLines, escapeUnicode } from './escape.js';
import { findingJson } from './json.js';
import { textLine } from './text.js';
import { FINDING_CLASSES, fileUri, findingClass, fingerprint, isUnexplained } from './finding-class.js';
import type { Reporter } from './reporters.js';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const DESCRIPTIONS: Record<string, string> = {
  changed: 'A path differs from the baseline (rpm -V letters SM5DLUGTP say which attributes)',
  missing: 'A path in the baseline is gone',
  added: 'A path not in the baseline appeared',
  untested: 'A path could not be checked (unreadable, unlisted, or a package check that did not finish)',
};

function ruleName(cls: string): string {
  return cls.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') + 'Path';
}

function rule(cls: string): Record<string, unknown> {
  const pkg = cls.startsWith('package-');
  const status = pkg ? cls.slice('package-'.length) : cls;
  const text = pkg ? `${DESCRIPTIONS[status]}, as the package manager's verification reports it` : DESCRIPTIONS[status]!;
  return {
    id: cls,
    name: ruleName(cls),
    shortDescription: { text: `${pkg ? 'package ' : ''}${status} path` },
    fullDescription: { text },
    defaultConfiguration: { level: status === 'untested' ? 'warning' : 'error' },
  };
}

function result(f: Finding): Record<string, unknown> {
  const cls = findingClass(f);
  return {
    ruleId: cls,
    ruleIndex: FINDING_CLASSES.indexOf(cls),
    kind: 'fail',
    level: f.status === 'untested' ? 'warning' : 'error',
    message: { text: textLine(f, true) },
    locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(f.path) } } }],
    partialFingerprints: { 'driftscanFinding/v1': fingerprint(f) },
    properties: findingJson(f),
  };
}

export const sarifReporter: Reporter = (report, out) => {
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'driftscan',
          version: TOOL_VERSION,
          rules: FINDING_CLASSES.map(rule),
        },
      },
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: report.diagnostics.map((d) => ({ level: 'warning', message: { text: escapeLines(d) } })),
      }],
      results: report.findings.filter(isUnexplained).map(result),
      properties: { root: displayPath(report.root), baselineHost: escapeUnicode(report.header.host), baselineKeyId: report.header.keyId, summary: report.summary },
    }],
  };
  out.write(JSON.stringify(log, null, 2) + '\n');
};
