/**
 * The driftscan library: what the CLI is built from, and all it uses. Re-exports only.
 *
 *   const out = atomicStream('host.dsb'); // mode 0600 unless a second argument says
 *   await writeBaseline({ root: '/', signingKey }, (bytes) => out.write(bytes));
 *   await out.commit();
 *   const { report, exitCode } = await scan({ baselineFile: 'host.dsb', publicKey, root: '/' });
 *   REPORTERS.json(report, process.stdout);
 */
export type * from './types.js';
export * from './errors.js';
// Workflows: one per command.
export { takeBaseline, writeBaseline, streamBaseline, buildBaseline, composePolicy, creationTime, sourceDateEpoch, type TakeOptions, type Taken, type Written, type BuildOptions } from './baseline/build.js';
export { scan, type ScanOptions, type ScanResult } from './scan/scan.js';
export { gather, type Gathered } from './scan/gather.js';
export { assess, type AssessInput, type Assessment } from './scan/assess.js';
export { verify, show, type Verified, type ShowOptions } from './inspect/inspect.js';
export { update, type UpdateOptions, type Updated } from './update/update.js';
export { historyLines } from './update/history.js';
export { diff, type DiffOptions, type DiffResult } from './diff/diff.js';
// Rules.
export { ATTRIBUTES, RPM_LETTERS, attrRow, type AttrRow, type RpmLetter } from './attrs/registry.js';
export { DEFAULT_POLICY } from './policy/default.js';
export { IGNORE_DIFF_RULES, parseIgnoreDiff } from './policy/ignore-diff.js';
export { startsEmptied } from './policy/emptied-starts.js';
export { parsePolicy, policyForPaths, withFastMode, ATTR_SETS, type Policy } from './policy/policy.js';
// Sources.
export { takeSnapshot, streamSnapshot, type Snapshot, type SnapshotOptions, type SnapshotSummary } from './snapshot/snapshot.js';
export { describeReason, startsMissing } from './snapshot/starts.js';
export { collectPackageData, PACKAGE_CHOICES, type PackageChoice } from './pkg/package-data.js';
export { defaultDpkgVerifier } from './pkg/dpkg.js';
// The file.
export { generateKeyPair, loadPrivateKey, loadPublicKey, keyId, defaultKeyDir, KEY_FILE, PUB_FILE } from './baseline/keys.js';
export { seal, openSealed, openSealedReader, checkSignature, SealWriter, type ByteSink } from './baseline/sealed.js';
export { loadBaseline, openBaselineFile } from './baseline/load.js';
export { baselineTotals, type WalkTotals } from './baseline/totals.js';
export { writeAtomic, writeThrough, writeAll, readBaselineFile, cleanUpOnSignals, DEFAULT_OUTPUT_MODE } from './baseline/store.js';
export { atomicStream, descriptorStream, throughStream, type OutputStream } from './baseline/output-stream.js';
export { TOOL_VERSION } from './baseline/format.js';
// Assess and report.
export { compareEntries, compareStream, flagString } from './compare/compare.js';
export { REPORTERS, SUMMARY_REPORTER, textLine, fileUri, fingerprint, type Report, type Reporter } from './report/reporters.js';
export { summarize, exitBits, FAIL_ON, type FailOn, type Summary } from './report/summary.js';
export { displayPath, rootBytes } from './paths.js';
export { escapeUnicode } from './report/escape.js';
export { INPUT_FLAGS, readInput } from './read-input.js';
export { FDS_PER_WORKER, FDS_RESERVED, openFileLimit } from './hash/pool.js';
export { openNoAtime } from './quiet-open.js';
