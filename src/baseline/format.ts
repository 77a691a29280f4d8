/**
 * The baseline file (format 2), written front to back as the walk goes:
 *
 *   offset 0   8 bytes  magic "DRIFTSCN"
 *   offset 8   u16 BE   format version (FORMAT_VERSION)
 *   offset 10  u16 BE   reserved, 0
 *   offset 12  u32 BE   reserved, 0
 *   offset 16  N bytes  body: msgpack values one after another (codec.ts):
 *                       header (what is known before the walk), entry 1 ..
 *                       entry M in path byte order, nil (the entries end),
 *                       trailer (count, attributes, unlisted directories,
 *                       growing logs: what the walk found), packages (or nil)
 *   16+N       u64 BE   N
 *   24+N       u64 BE   offset in the file of the nil that ends the entries
 *   32+N       64 bytes Ed25519 signature of SIGNED_LABEL followed by the
 *                       SHA-512 of bytes 0 .. 32+N (everything before it)
 *
 * Nothing after the signature. Signing a digest lets the file be written and
 * checked as a stream (Node's Ed25519 signs a whole message held in memory);
 * the digest covers the magic, version and lengths too, so a rolled-back
 * version number or a spliced body fails it.
 */
export const MAGIC = Buffer.from('DRIFTSCN', 'latin1');
export const FORMAT_VERSION = 2;
export const PREFIX_BYTES = 16;
/** The two lengths after the body. */
export const TAIL_BYTES = 16;
export const SIGNATURE_BYTES = 64;
/** What the signature covers besides the digest: the format and the digest's algorithm, so neither can be swapped. */
export const SIGNED_LABEL = Buffer.from('driftscan baseline format 2, sha512 of the file before the signature\0', 'latin1');
/** How much of the file is read at a time. */
export const CHUNK = 1 << 20;
export const TOOL_VERSION = '0.1.0';
