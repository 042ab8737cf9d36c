/**
 * MurmurHash3 x86_32 over the UTF-8 bytes of a JavaScript string, without allocating.
 *
 * Strings are encoded on the fly from `charCodeAt` (ASCII four characters at a time), exactly as
 * `TextEncoder` would encode them: surrogate pairs become four bytes and lone surrogates become
 * U+FFFD (EF BF BD). The server, Node SDKs and browsers therefore agree to the bit.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * Hash state after some bytes: `h1` after the full 4-byte blocks, the 0–3 pending bytes packed
 * little-endian in `k1`, their bit count in `shift`, and the byte length so far.
 */
export interface Murmur3State {
  readonly h1: number;
  readonly k1: number;
  readonly shift: number;
  readonly length: number;
}

function mixBlock(h1: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = h1 ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The finalization: the 0–3 pending bytes, the length and the avalanche mix. */
function finish(h1: number, k1: number, shift: number, length: number): number {
  if (shift !== 0) {
    let k = Math.imul(k1, C1);
    k = (k << 15) | (k >>> 17);
    h1 ^= Math.imul(k, C2);
  }
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

/**
 * Feeds the UTF-8 bytes of `input` into a hash already holding `length` bytes: the one UTF-8
 * encoder of this module, used both for a prefix state and for each evaluation's suffix.
 *
 * Without `into`, finishes the hash and returns it as a *signed* 32-bit integer: that stays a
 * small integer in V8, where an unsigned result above 2^31 would be boxed on every call. With
 * `into`, stores the unfinished state there as [h1, k1, shift, length] and returns 0. One loop with
 * all state in locals and the store as one branch after it: this is the per-evaluation hot path of
 * every rollout (scripts/time-evaluate.mjs showed no measurable cost against a finish-only loop).
 */
function feed(h1: number, k1: number, shift: number, length: number, input: string, into?: Int32Array): number {
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    // Up to four UTF-8 bytes of the next character(s), little-endian, and how many there are.
    let packed: number;
    let count: number;
    if (c < 0x80) {
      if (i + 3 < n) {
        const c1 = input.charCodeAt(i + 1);
        const c2 = input.charCodeAt(i + 2);
        const c3 = input.charCodeAt(i + 3);
        if ((c1 | c2 | c3) < 0x80) {
          packed = c | (c1 << 8) | (c2 << 16) | (c3 << 24);
          count = 4;
          i += 4;
        } else {
          packed = c;
          count = 1;
          i += 1;
        }
      } else {
        // The last one to three characters, packed together while they are ASCII.
        packed = c;
        count = 1;
        if (i + 1 < n) {
          const c1 = input.charCodeAt(i + 1);
          if (c1 < 0x80) {
            packed |= c1 << 8;
            count = 2;
            if (i + 2 < n) {
              const c2 = input.charCodeAt(i + 2);
              if (c2 < 0x80) {
                packed |= c2 << 16;
                count = 3;
              }
            }
          }
        }
        i += count;
      }
    } else if (c < 0x800) {
      packed = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is one four-byte character; a lone surrogate becomes U+FFFD (EF BF BD).
      const d = i + 1 < n ? input.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        packed =
          (0xf0 | (cp >> 18)) |
          ((0x80 | ((cp >> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
        i += 2;
      } else {
        packed = 0xef | (0xbf << 8) | (0xbd << 16);
        count = 3;
        i += 1;
      }
    } else {
      packed = (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
      i += 1;
    }
    // Append the bytes after the `shift` pending bits; a completed block is mixed, and the bytes
    // that overflow it become the new pending bytes.
    const bits = shift + (count << 3);
    if (bits >= 32) {
      h1 = mixBlock(h1, k1 | (packed << shift));
      k1 = shift === 0 ? 0 : packed >>> (32 - shift);
      shift = bits - 32;
    } else {
      k1 |= packed << shift;
      shift = bits;
    }
    length += count;
  }
  if (into === undefined) return finish(h1, k1, shift, length);
  into[0] = h1;
  into[1] = k1;
  into[2] = shift;
  into[3] = length;
  return 0;
}

/**
 * Feeds `input` into a hash state (from `murmur3Prefix`, or seed, 0, 0, 0 for a fresh hash) and
 * finishes it, returning the hash as a *signed* 32-bit integer (`>>> 0` gives the unsigned one).
 *
 * @example
 * const state = murmur3Prefix("new-checkout.s1.");
 * murmur3Continue(state.h1, state.k1, state.shift, state.length, "user-1") >>> 0; // murmur3("new-checkout.s1.user-1")
 */
export function murmur3Continue(h1: number, k1: number, shift: number, length: number, input: string): number {
  return feed(h1, k1, shift, length, input);
}

/**
 * The hash state after the UTF-8 bytes of `prefix`, so a constant prefix (a flag's
 * `flagKey.salt.`) is hashed once at compile time and each evaluation hashes only its suffix.
 * The prefix is encoded on its own: a surrogate pair split between prefix and suffix would hash
 * as two lone surrogates (bucketing prefixes end in ".", so this never happens there).
 *
 * @example
 * const state = murmur3Prefix("new-checkout.s1.");
 * (murmur3Continue(state.h1, state.k1, state.shift, state.length, "user-1") >>> 0) === murmur3("new-checkout.s1.user-1");
 */
export function murmur3Prefix(prefix: string, seed = 0): Murmur3State {
  const state = new Int32Array(4);
  feed(seed | 0, 0, 0, 0, prefix, state);
  return { h1: state[0]!, k1: state[1]!, shift: state[2]!, length: state[3]! };
}

/**
 * MurmurHash3 x86_32 of the UTF-8 bytes of `input`, as an unsigned 32-bit integer.
 *
 * @example
 * murmur3("hello"); // 0x248bfa47 (613153351)
 * murmur3("", 1); // 0x514e28b7
 */
export function murmur3(input: string, seed = 0): number {
  return feed(seed | 0, 0, 0, 0, input) >>> 0;
}
