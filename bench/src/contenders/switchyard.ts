/**
 * Switchyard: `compileFlag(flag).evaluate(ctx)` from @switchyard/core, and the floor (below), over
 * the very same context objects.
 */
import { BUCKET_COUNT, bucket, compileFlag } from "@switchyard/core";
import { flagDefinitionSchema, type FlagDefinition } from "@switchyard/core/schema";
import { TARGETED_COUNTRIES, type Subjects } from "../contexts.js";
import { installedVersion } from "../versions.js";
import type { Contender } from "./types.js";

export const FLAG_KEY = "new-checkout";
export const SALT = "s1";
/** Buckets below this serve `on`: the rollout lists `on` (25000) first, then `off` (75000). */
export const ON_BELOW = 25_000;

/** The flag in Switchyard's wire format, validated by core's own schema before use. */
export const NEW_CHECKOUT_WIRE = {
  key: FLAG_KEY,
  kind: "boolean",
  variants: [
    { key: "on", value: true },
    { key: "off", value: false },
  ],
  salt: SALT,
  clientVisible: false,
  enabled: true,
  killed: false,
  killReason: null,
  targets: [],
  rules: [
    {
      clauses: [{ attribute: "country", op: "in", values: [...TARGETED_COUNTRIES], negate: false, caseInsensitive: false }],
      serve: {
        rollout: {
          bucketBy: "key",
          variants: [
            { variant: "on", weight: 25_000 },
            { variant: "off", weight: 75_000 },
          ],
        },
      },
    },
  ],
  fallthrough: { variant: "off" },
  offVariant: "off",
  version: 1,
};

/** A type alias, not an interface, so it is assignable to core's `EvaluationContext` record. */
export type SwitchyardContext = {
  key: string;
  country: string;
};

/** Switchyard's context objects, shared by the Switchyard contender and the floor. */
let contexts: SwitchyardContext[] = [];

function buildContexts(subjects: Subjects): SwitchyardContext[] {
  if (contexts.length === subjects.n) return contexts;
  const out = new Array<SwitchyardContext>(subjects.n);
  for (let i = 0; i < subjects.n; i++) out[i] = { key: subjects.keys[i]!, country: subjects.countries[i]! };
  contexts = out;
  return out;
}

/** What the flag must serve for one context, computed from `bucket` alone (untimed checks only). */
export function predicted(ctx: SwitchyardContext): boolean {
  return (TARGETED_COUNTRIES as readonly string[]).includes(ctx.country) && bucket(FLAG_KEY, SALT, ctx.key) < ON_BELOW;
}

export function switchyardContender(): Contender {
  const flag: FlagDefinition = flagDefinitionSchema.parse(NEW_CHECKOUT_WIRE);
  const compiled = compileFlag(flag);
  let ctxs: SwitchyardContext[] = [];
  return {
    name: "Switchyard",
    version: `@switchyard/core ${installedVersion("@switchyard/core")}`,
    prepare(subjects) {
      ctxs = buildContexts(subjects);
    },
    verify() {
      const out = new Uint8Array(ctxs.length);
      const problems: string[] = [];
      for (let i = 0; i < ctxs.length; i++) {
        const ctx = ctxs[i]!;
        const result = compiled.evaluate(ctx);
        const expected = predicted(ctx);
        if (result.value !== expected || result.variant !== (expected ? "on" : "off")) {
          if (problems.length < 5) {
            problems.push(
              `${JSON.stringify(ctx)}: got value=${JSON.stringify(result.value)} variant=${JSON.stringify(result.variant)} ` +
                `reason=${result.reason}, bucket()=${bucket(FLAG_KEY, SALT, ctx.key)} predicts ${expected ? "on" : "off"}`,
            );
          }
        }
        out[i] = result.value === true ? 1 : 0;
      }
      if (problems.length > 0) throw new Error(`Switchyard disagrees with bucket():\n  ${problems.join("\n  ")}`);
      return out;
    },
    run() {
      const c = ctxs;
      const f = compiled;
      let t = 0;
      for (let i = 0; i < c.length; i++) if (f.evaluate(c[i]!).value === true) t++;
      return t;
    },
  };
}

/*
 * The floor: the least work any evaluator of this flag with Switchyard's bucketing must do. A Set
 * lookup on country, then MurmurHash3 x86_32 of "new-checkout.s1." + key, % 100000, < 25000.
 *
 * Core's exported `bucket(flagKey, salt, value)` is not used in the timed loop: it builds a
 * per-flag Bucketer (hashing the constant "new-checkout.s1." prefix, with an allocation) on every
 * call, so it is slower than a compiled flag and would be no floor at all. Here the prefix is
 * hashed once, and only the key's bytes are hashed per evaluation, ASCII only (every key here is
 * ASCII): bare murmur3 + compare. `verify` checks that this gives exactly core's `bucket(...)` for
 * every one of the contexts, so the floor hashes the same bytes the same way.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h1: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = h1 ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** h1 after an ASCII prefix whose length is a multiple of 4 (so no bytes are left pending). */
function prefixState(prefix: string): number {
  if (prefix.length % 4 !== 0 || !/^[\x00-\x7f]*$/.test(prefix)) throw new Error(`floor needs an ASCII prefix of 4n bytes, got ${JSON.stringify(prefix)}`);
  let h1 = 0;
  for (let i = 0; i < prefix.length; i += 4) {
    h1 = mixBlock(h1, prefix.charCodeAt(i) | (prefix.charCodeAt(i + 1) << 8) | (prefix.charCodeAt(i + 2) << 16) | (prefix.charCodeAt(i + 3) << 24));
  }
  return h1;
}

/** murmur3 of prefix + s, given h1 after the prefix and its byte length; `s` must be ASCII. */
function murmur3AsciiAfter(h1: number, prefixLength: number, s: string): number {
  const n = s.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h1 = mixBlock(h1, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24));
  }
  const rest = n - i;
  if (rest > 0) {
    let k = s.charCodeAt(i);
    if (rest > 1) k |= s.charCodeAt(i + 1) << 8;
    if (rest > 2) k |= s.charCodeAt(i + 2) << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h1 ^= Math.imul(k, C2);
  }
  h1 ^= prefixLength + n;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

export function floorContender(): Contender {
  let ctxs: SwitchyardContext[] = [];
  const targeted = new Set<string>(TARGETED_COUNTRIES);
  const prefix = `${FLAG_KEY}.${SALT}.`;
  const h0 = prefixState(prefix);
  return {
    name: "Floor (Set + bare murmur3 + compare)",
    version: "—",
    prepare(subjects) {
      ctxs = buildContexts(subjects);
    },
    verify() {
      const out = new Uint8Array(ctxs.length);
      for (let i = 0; i < ctxs.length; i++) {
        const ctx = ctxs[i]!;
        const mine = murmur3AsciiAfter(h0, prefix.length, ctx.key) % BUCKET_COUNT;
        const core = bucket(FLAG_KEY, SALT, ctx.key);
        if (mine !== core) throw new Error(`floor bucket ${mine} != core bucket ${core} for key ${JSON.stringify(ctx.key)}`);
        out[i] = targeted.has(ctx.country) && mine < ON_BELOW ? 1 : 0;
      }
      return out;
    },
    run() {
      const c = ctxs;
      const set = targeted;
      const h = h0;
      const len = prefix.length;
      let t = 0;
      for (let i = 0; i < c.length; i++) {
        const ctx = c[i]!;
        if (set.has(ctx.country) && murmur3AsciiAfter(h, len, ctx.key) % BUCKET_COUNT < ON_BELOW) t++;
      }
      return t;
    },
  };
}
