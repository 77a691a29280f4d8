/**
 * The baseline file:
 *
 *   offset 0   8 bytes  magic "DRIFTSCN"
 *   offset 8   u16 BE   format version (FORMAT_VERSION)
 *   offset 10  u16 BE   reserved, 0
 *   offset 12  u32 BE   body length N
 *   offset 16  N bytes  body: msgpack values one after another: header,
 *                       packages (or nil), entry count, then each entry (codec.ts)
 *   offset 16+N 64 bytes Ed25519 signature over bytes 0 .. 16+N
 *
 * Nothing after the signature. The signature covers the magic, version and
 * length too, so a rolled-back version number or a spliced body fails it.
 */
export const MAGIC = Buffer.from('DRIFTSCN', 'latin1');
export const FORMAT_VERSION = 1;
export const PREFIX_BYTES = 16;
export const SIGNATURE_BYTES = 64;
export const TOOL_VERSION = '0.1.0';
