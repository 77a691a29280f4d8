/**
 * Sealing the baseline file as it is written: the frame (format.ts), the
 * body one entry at a time, and an Ed25519 signature of the SHA-512 of every
 * byte before it, computed as the bytes go out. Nothing but the writer's
 * buffer (a megabyte) is held: the entries go to `sink` and are dropped.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Baseline, BytePath, Entry, PackageData } from '../types.js';
import { ALL_ATTRS } from '../attrs/registry.js';
import { packFront, packTrailer, trailerOf, type FrontHeader, type Trailer } from './codec.js';
import { writeEntry } from './codec-entries.js';
import { packPackages } from './codec-packages.js';
import { EntryWriter } from './entry-writer.js';
import { FORMAT_VERSION, MAGIC, PREFIX_BYTES, SIGNED_LABEL, TAIL_BYTES } from './format.js';
import { packr } from './msgpack.js';
import { openSource, type BaselineReader } from './reader.js';
import { BufferSource } from './source.js';

/** Takes each piece of the file in order; a promise holds the writer until it settles (it must copy what it keeps). */
export type ByteSink = (bytes: Uint8Array) => void | Promise<void>;

/** What the walk found that the trailer records besides what the writer counts. */
export interface Found {
  unlisted: readonly BytePath[];
  notWalked?: Array<[BytePath, string]>;
}

export class SealWriter {
  private readonly digest = createHash('sha512');
  private readonly out: EntryWriter;
  private written = 0;
  private held?: Promise<void>;
  private previous = '';
  private readonly attrs = new Set<string>();
  /** Entries written, regular files' bytes, growing logs with their size, entries not read completely. */
  count = 0;
  bytes = 0;
  readonly growing: Array<[BytePath, number]> = [];
  untested = 0;

  constructor(front: FrontHeader, private readonly key: KeyObject, private readonly sink: ByteSink) {
    this.out = new EntryWriter((b) => this.emit(b));
    const prefix = Buffer.alloc(PREFIX_BYTES);
    MAGIC.copy(prefix, 0);
    prefix.writeUInt16BE(FORMAT_VERSION, 8);
    this.out.raw(prefix);
    this.out.raw(packFront({ ...front, format: FORMAT_VERSION }));
  }

  private emit(bytes: Uint8Array): void {
    this.digest.update(bytes);
    this.written += bytes.length;
    const held = this.sink(bytes);
    if (held) this.held = held;
  }

  private release(): Promise<void> | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  /** The attributes the entries recorded, in registry order. */
  attrNames(): string[] {
    return ALL_ATTRS.filter((n) => this.attrs.has(n));
  }

  /** Appends one entry (entries come in path byte order); a promise when the sink is busy. */
  add(e: Entry): Promise<void> | undefined {
    writeEntry(this.out, e, this.previous);
    this.previous = e.path;
    this.count++;
    // for-in rather than Object.keys: no array per entry.
    for (const name in e.attrs) this.attrs.add(name);
    const size = e.attrs.size;
    if (typeof size === 'number') {
      if (e.kind === 'file') this.bytes += size;
      if (e.growing) this.growing.push([e.path, size]);
    }
    if (e.untested) this.untested++;
    this.out.flushIfFull();
    return this.release();
  }

  /** The trailer, the package data, the lengths and the signature; a promise when the sink is busy. */
  finish(found: Found, packages: PackageData | undefined, trailer?: Trailer): Promise<void> | undefined {
    const busy = this.release();
    if (busy) return busy.then(() => this.finish(found, packages, trailer));
    this.out.nil();
    const end = this.written + this.out.buffered - 1;
    this.out.raw(packTrailer(trailer ?? {
      count: this.count, bytes: this.bytes, attrs: this.attrNames(),
      unlisted: [...found.unlisted].sort(), growing: this.growing,
      notWalked: found.notWalked && [...found.notWalked].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    }));
    this.out.raw(packr.pack(packPackages(packages)));
    const tail = Buffer.alloc(TAIL_BYTES);
    tail.writeBigUInt64BE(BigInt(this.written + this.out.buffered - PREFIX_BYTES), 0);
    tail.writeBigUInt64BE(BigInt(end), 8);
    this.out.raw(tail);
    this.out.done();
    const signature = sign(null, Buffer.concat([SIGNED_LABEL, this.digest.digest()]), this.key);
    const last = this.release();
    if (last) return last.then(() => this.sink(signature) ?? undefined);
    return this.sink(signature) ?? undefined;
  }
}

/** A whole baseline held in memory, sealed into one buffer (update, tests). */
export function seal(baseline: Baseline, privateKey: KeyObject): Buffer {
  const parts: Buffer[] = [];
  const writer = new SealWriter(baseline.header, privateKey, (b) => void parts.push(Buffer.from(b)));
  for (const e of baseline.entries) writer.add(e);
  // Everything is synchronous with this sink: nothing is left to wait for.
  writer.finish({ unlisted: baseline.header.unlisted }, baseline.packages, trailerOf(baseline.header, baseline.entries));
  return Buffer.concat(parts);
}

/** Verifies (unless `skipVerify`: the CLI's loud --no-verify), then readies the entries to be read one at a time. */
export function openSealedReader(file: Buffer, publicKey: KeyObject | undefined, skipVerify = false): BaselineReader {
  return openSource(new BufferSource(file), publicKey, skipVerify);
}

/** Verifies, then decodes everything. */
export function openSealed(file: Buffer, publicKey: KeyObject | undefined, skipVerify = false): Baseline {
  const reader = openSealedReader(file, publicKey, skipVerify);
  const entries: Entry[] = [];
  reader.forEachEntry((e) => entries.push(e));
  return { header: reader.header, entries, packages: reader.packages };
}

/** Throws unless the file verifies with the key. */
export function checkSignature(file: Buffer, publicKey: KeyObject): void {
  openSealedReader(file, publicKey);
}
