/**
 * XXH32 (seed 0 by default), as the xxHash specification defines it: the
 * checksum the LZ4 frame format uses for its header, blocks and content.
 * Written from the public spec; 32-bit arithmetic via Math.imul and >>> 0.
 */
const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const lane = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const round = (acc: number, input: number) => mul(rotl((acc + mul(input, P2)) >>> 0, 13), P1);

export function xxh32(data: Uint8Array, seed = 0): number {
  const len = data.length;
  let i = 0;
  let acc: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) >>> 0;
    let v2 = (seed + P2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, lane(data, i));
      v2 = round(v2, lane(data, i + 4));
      v3 = round(v3, lane(data, i + 8));
      v4 = round(v4, lane(data, i + 12));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    acc = (seed + P5) >>> 0;
  }
  acc = (acc + len) >>> 0;
  for (; i + 4 <= len; i += 4) acc = mul(rotl((acc + mul(lane(data, i), P3)) >>> 0, 17), P4);
  for (; i < len; i++) acc = mul(rotl((acc + mul(data[i]!, P5)) >>> 0, 11), P1);
  acc = mul(acc ^ (acc >>> 15), P2);
  acc = mul(acc ^ (acc >>> 13), P3);
  return (acc ^ (acc >>> 16)) >>> 0;
}
