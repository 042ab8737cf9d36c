// Rough timing of the hot path on built output: `pnpm --filter @switchyard/core build && node scripts/time-evaluate.mjs`.
// Mirrors the shared benchmark: the `new-checkout` flag over 1,000,000 distinct precomputed contexts.
import { bucket, compileFlag, evaluate, murmur3 } from "../dist/index.js";

const newCheckout = {
  key: "new-checkout",
  kind: "boolean",
  variants: [
    { key: "on", value: true },
    { key: "off", value: false },
  ],
  salt: "a1b2c3",
  clientVisible: true,
  enabled: true,
  killed: false,
  killReason: null,
  targets: [],
  rules: [
    {
      clauses: [{ attribute: "country", op: "in", values: ["NL", "DE", "FR"], negate: false, caseInsensitive: false }],
      serve: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } },
    },
  ],
  fallthrough: { variant: "off" },
  offVariant: "off",
  version: 1,
};

const N = 1_000_000;
const contexts = Array.from({ length: N }, (_, i) => ({ key: `user-${100000 + i}`, country: "NL" }));

// Other work shares this machine, so report the best and the median of several rounds.
function time(label, fn) {
  const rounds = [];
  let on = 0;
  for (let round = 0; round < 12; round++) {
    const start = process.hrtime.bigint();
    on = 0;
    for (let i = 0; i < N; i++) on += fn(contexts[i]) ? 1 : 0;
    if (round >= 2) rounds.push(Number(process.hrtime.bigint() - start) / N);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[rounds.length >> 1];
  console.log(`${label}: best ${rounds[0].toFixed(1)} ns/eval, median ${median.toFixed(1)} (served on: ${((on / N) * 100).toFixed(2)}%)`);
}

const compiled = compileFlag(newCheckout);
time("compileFlag(flag).evaluate", (ctx) => compiled.evaluate(ctx).value);
time("evaluate(flag, ctx) (cached)", (ctx) => evaluate(newCheckout, ctx).value);
time("murmur3 only", (ctx) => murmur3(ctx.key) & 1);
time("bucket only (uncached prefix)", (ctx) => bucket("new-checkout", "a1b2c3", ctx.key) < 25_000);
