// A deliberately plain MurmurHash3 x86_32 over bytes from Node's TextEncoder: an independent
// reference for the hand-rolled, allocation-free version in src/murmur3.ts. Used only by the
// generator scripts, never by the package.

const encoder = new TextEncoder();

/** MurmurHash3 x86_32 of a byte array, unsigned. */
export function murmur3Bytes(bytes, seed = 0) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h1 = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let b = 0; b < blocks; b++) {
    const i = b * 4;
    let k1 = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  let k1 = 0;
  switch (bytes.length & 3) {
    case 3:
      k1 ^= bytes[tail + 2] << 16;
    // falls through
    case 2:
      k1 ^= bytes[tail + 1] << 8;
    // falls through
    case 1:
      k1 ^= bytes[tail];
      k1 = Math.imul(k1, c1);
      k1 = (k1 << 15) | (k1 >>> 17);
      k1 = Math.imul(k1, c2);
      h1 ^= k1;
  }
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/** MurmurHash3 x86_32 of a string's UTF-8 bytes, unsigned. */
export function referenceMurmur3(text, seed = 0) {
  return murmur3Bytes(encoder.encode(text), seed);
}

/** The rollout bucket, as specified: murmur3(flagKey + "." + salt + "." + value) % 100000. */
export function referenceBucket(flagKey, salt, value) {
  return referenceMurmur3(`${flagKey}.${salt}.${value}`) % 100_000;
}
