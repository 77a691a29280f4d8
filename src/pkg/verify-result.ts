/** What a manager's verify returns before index.ts adds the manager name. */
import type { Finding, PackageData } from '../types.js';

export interface ToolVerify {
  findings: Finding[];
  diagnostics: string[];
  /** Why the tool's output does not cover every package (timeout, abort). */
  incomplete?: string;
}

/** rpm and dpkg print paths only: name the owning package from the owner map. */
export function attachOwners(findings: Finding[], owners: PackageData): Finding[] {
  return findings.map((f) => {
    const owner = owners.files[f.path];
    return owner ? { ...f, package: owner.pkg } : f;
  });
}

export function timeoutReason(what: string, timeoutMs: number): string {
  return `${what} was stopped after ${timeoutMs / 1000} s without finishing; its findings are what it printed until then`;
}
