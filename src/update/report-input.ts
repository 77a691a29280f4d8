/**
 * Reading back a JSON scan report for `update`: its binding to a baseline, its
 * root and the findings with the state each path had when the report was made.
 */
import { reportBinding } from '../report/json.js';
import { UpdateRefusedError } from '../errors.js';
import type { BytePath } from '../types.js';

export interface ReportedFinding {
  path: BytePath;
  status: string;
  source: string;
  triage?: string;
  /** Present when the report's finding is explained: the package operation (a package change). */
  explainedBy?: string;
  /** entryState of the path when the report was made; undefined: not there. */
  state?: string;
}

export interface ReportInput {
  baselineSha256: string;
  root: string;
  findings: ReportedFinding[];
  /** Package changes as the report printed them (`installed name version arch` lines), sorted. */
  packageChanges: string[];
}

type Doc = Record<string, unknown>;

/** Parses and checks the report; a report that is not a bound JSON scan report is refused (exit 26). */
export function readReport(text: string, name: string): ReportInput {
  let doc: Doc;
  try {
    doc = JSON.parse(text) as Doc;
  } catch {
    throw new UpdateRefusedError(`report ${name} is not a JSON report (write it with scan --format json)`);
  }
  const binding = doc?.binding as Doc | undefined;
  if (typeof doc !== 'object' || doc === null || typeof binding?.baseline_sha256 !== 'string' || typeof doc.root !== 'string' || !Array.isArray(doc.findings)) {
    throw new UpdateRefusedError(`report ${name} is not a JSON scan report with a baseline binding (write it with scan --format json)`);
  }
  const expected = reportBinding(binding.baseline_sha256, doc.root, doc.findings).findings_sha256;
  if (binding.findings_sha256 !== expected) {
    throw new UpdateRefusedError(`report ${name} was changed after the scan wrote it (its findings checksum does not match); scan again`);
  }
  return {
    baselineSha256: binding.baseline_sha256,
    root: doc.root,
    findings: (doc.findings as Doc[]).map(finding),
    packageChanges: changeLines(doc.packages),
  };
}

function finding(f: Doc): ReportedFinding {
  // path_hex holds the raw bytes whenever the printed path is not them.
  const path = typeof f.path_hex === 'string' ? Buffer.from(f.path_hex, 'hex').toString('latin1') : Buffer.from(String(f.path), 'utf8').toString('latin1');
  const op = (f.evidence as Doc | undefined)?.operation as Doc | undefined;
  return {
    path, status: String(f.status), source: String(f.source),
    triage: typeof f.triage === 'string' ? f.triage : undefined,
    explainedBy: op ? `${String(op.kind)} ${String(op.name)}` : undefined,
    state: typeof f.state_sha256 === 'string' ? f.state_sha256 : undefined,
  };
}

/** The report's package changes, one line each, for comparing with a fresh read. */
export function changeLines(packages: unknown): string[] {
  const changes = (packages as Doc | null)?.changes as Record<string, Doc[]> | null | undefined;
  if (!changes) return [];
  const lines: string[] = [];
  for (const kind of ['installed', 'removed', 'upgraded']) {
    for (const p of changes[kind] ?? []) lines.push(`${kind} ${String(p.name)} ${String(p.version ?? '')}${String(p.from ?? '')} ${String(p.to ?? '')} ${String(p.arch)}`);
  }
  return lines.sort();
}
