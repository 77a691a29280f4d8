/**
 * Shared domain types.
 *
 * Paths are bytes on Linux. In memory a path is a BytePath: a string holding one
 * char per byte (latin1), so that `<` on two BytePaths orders them exactly as
 * their bytes do, and no name is ever mangled by UTF-8 decoding. Convert with
 * `toFsPath` before calling fs, and with `displayPath` before printing.
 */
export type BytePath = string;

export type FileKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev';

/** A value of one attribute, as held in memory and in the baseline file. */
export type AttrValue = string | number | boolean | null | readonly number[] | Readonly<Record<string, string>>;

export interface Entry {
  path: BytePath;
  kind: FileKind;
  /** Attribute name -> value, in registry order (the order fixes the baseline bytes). */
  attrs: Record<string, AttrValue>;
  /** Attribute name -> why it could not be collected (an errno code such as EACCES). */
  untested?: Record<string, string>;
  /** Set when the policy marks the path as a configuration file (`c` in reports). */
  config?: boolean;
  /** Set when the policy marks the path as a log that may only grow. */
  growing?: boolean;
  /** Scan side only: digests of the first (baseline size) bytes of a growing log. */
  prefix?: Record<string, string>;
}

export interface PackageInfo {
  name: string;
  version: string;
  arch: string;
}

export interface PackageData {
  manager: 'rpm' | 'dpkg';
  packages: PackageInfo[];
  /** path -> owning package name and the package database's recorded digest. */
  files: Record<BytePath, { pkg: string; digest?: string; algo?: string }>;
  /** digests of the package database's own files, path -> sha256 hex. */
  dbFiles: Record<BytePath, string>;
  /**
   * dpkg: the md5 of packaged files the baseline's walk read, by walked path,
   * with the sha256 of the same read (a scan reading that sha256 knows the md5
   * without reading again). Absent (an older baseline): not known.
   */
  contentMd5?: Record<BytePath, { sha256: string; md5: string }>;
}

export interface BaselineHeader {
  format: number;
  tool: string;
  host: string;
  created: string;
  root: string;
  /** The rules text the baseline was taken with. */
  policy: string;
  /** Names of the attributes the baseline may record. */
  attrs: string[];
  /** SHA-256 fingerprint of the signing public key (hex). */
  keyId: string;
  /** Directories that could not be listed when the baseline was taken. */
  unlisted: BytePath[];
  /** Growing logs and their sizes: the scan checks that this much of each is unchanged. */
  growing?: Array<[BytePath, number]>;
  /** Include paths that walked nothing, with why (ENOENT ...); absent when there are none. */
  notWalked?: Array<[BytePath, string]>;
  /**
   * Set by `update`: the chain of accepted changes, oldest first, the parent's
   * own chain carried forward. Absent on a baseline taken from a tree.
   */
  history?: HistoryStep[];
}

/** One `update`: which baseline it started from and what it accepted from which report. */
export interface HistoryStep {
  /** sha256 of the parent baseline file. */
  parent: string;
  /** The parent's creation time, as its header says. */
  parentCreated: string;
  /** Key id of the key that signed the new baseline. */
  keyId: string;
  /** When the update ran (ISO time). */
  at: string;
  /** sha256 of the report the accepted findings came from. */
  report: string;
  /** Each --accept rule and the number of paths it accepted. */
  accepted: Array<[rule: string, paths: number]>;
  /** Package data: re-read from the root (the accepted set includes package changes) or kept. */
  packages: 'reread' | 'kept';
}

export interface Baseline {
  header: BaselineHeader;
  entries: Entry[];
  packages?: PackageData;
}

/** A baseline without its entries: what the package checks need. */
export type BaselineInfo = Omit<Baseline, 'entries'>;

export type FindingStatus = 'changed' | 'missing' | 'added' | 'untested';
export type FindingSource = 'baseline' | 'rpm' | 'dpkg';

export interface AttrDelta {
  attr: string;
  old: unknown;
  new: unknown;
}

/** A package operation since the baseline: what triage names as the cause of a change. */
export interface PackageOperation {
  kind: 'install' | 'upgrade' | 'remove';
  name: string;
  arch: string;
  /** Versions before and after (null: none, as for an install or a removal). */
  from: string | null;
  to: string | null;
  /** Its time window from the root's own logs, seconds since the epoch (both or neither). */
  start?: number;
  end?: number;
}

export interface Evidence {
  operation: PackageOperation;
  rule: 'package-content' | 'bookkeeping' | 'side-effect' | 'directory';
  detail: string;
}

export interface Finding {
  path: BytePath;
  status: FindingStatus;
  source: FindingSource;
  /** Nine characters in rpm's order SM5DLUGTP, for `changed` (and package findings). */
  flags?: string;
  /** rpm's marker: c config, d doc, g ghost, l license, r readme, or ' '. */
  marker?: string;
  kind?: FileKind;
  /** Every attribute that differs, with printable old and new values. */
  deltas: AttrDelta[];
  /** Attributes outside rpm's letters that differ (inode, ctime, ...). */
  extra: string[];
  /** Attributes that could not be compared, with the reason. */
  untested: Record<string, string>;
  package?: string;
  /**
   * explained by a package update; unexplained; or preexisting: a package
   * finding on a path the walk found unchanged since the baseline (not counted).
   */
  triage?: 'explained' | 'unexplained' | 'preexisting';
  /** When explained: the package operation and the rule that explain it (src/triage/). */
  evidence?: Evidence;
  /** When unexplained for a stated cause (`package not from a configured repository`, ...). */
  reason?: string;
  /** Free text from the package tool: `(replaced)`, an error, ... */
  note?: string;
  /** A package finding on a path the policy does not walk: shown and counted, but the walk cannot vouch for it. */
  outsidePolicy?: boolean;
  /** The package tool's findings cannot be trusted (its binary changed). */
  untrusted?: boolean;
  /** Attribute -> a readable account of its change (a unified diff of a config file). */
  details?: Record<string, string>;
  /** sha256 of the path's entry now, as a baseline would store it (absent: not there now): what `update` re-checks. */
  state?: string;
}
