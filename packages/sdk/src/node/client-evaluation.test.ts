/** Evaluation is local, synchronous, and never throws, whatever it is given. */
import { afterEach, describe, expect, it } from "vitest";
import type { EvaluationContext } from "@switchyard/core";
import { booleanFlag, snapshot, stringFlag } from "../test-support/fixtures.js";
import { memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client } from "./client.js";

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

/** A client holding a bootstrap, whose server never answers. */
function withFlags(logger: Parameters<typeof createClient>[0]["logger"] = {}) {
  const json = booleanFlag("settings", { kind: "json", variants: [{ key: "v1", value: { theme: "dark" } }, { key: "off", value: {} }], fallthrough: { variant: "v1" } });
  const client = createClient(
    { url: "http://unreachable.test", sdkKey: "sy_server_x.y", logger, bootstrap: snapshot(1, [booleanFlag("on"), stringFlag("banner", "blue"), json, booleanFlag("needs-key", { fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 100_000 }] } } })]) },
    // Streams hang; metrics batches are taken, so close() sends them at once.
    { fetch: (input) => (String(input).endsWith("/sdk/v1/metrics") ? Promise.resolve(new Response(null, { status: 202 })) : new Promise<Response>(() => {})) },
  );
  clients.push(client);
  return client;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Things a buggy app may throw or pass: each breaks String(), spreading, or Array.isArray. */
function hostileValues(): unknown[] {
  return [
    Object.create(null),
    { toString: () => { throw new Error("toString"); } },
    Object.defineProperty(new Error("message"), "message", { get: () => { throw new Error("message getter"); } }),
    revokedProxy(),
    new Proxy({}, { ownKeys: () => { throw new Error("ownKeys"); }, getPrototypeOf: () => { throw new Error("getPrototypeOf"); } }),
    { get key(): string { throw new Error("getter"); } },
    Symbol("thrown"),
  ];
}

const garbage: unknown[] = [null, undefined, 42, "user", [], [1, 2], { key: 5 }, { key: { nested: true } }, Object.create(null), new Proxy({}, { get: () => { throw new Error("boom"); } })];

describe("evaluation", () => {
  it("gives the default with FLAG_NOT_FOUND for an unknown flag", () => {
    const client = withFlags();
    expect(client.evaluate("missing", { key: "u" })).toEqual({ value: null, variant: null, reason: "FLAG_NOT_FOUND", errorCode: "FLAG_NOT_FOUND" });
    expect(client.evaluate("missing", { key: "u" }, "fallback").value).toBe("fallback");
    expect(client.isEnabled("missing", { key: "u" })).toBe(false);
    expect(client.isEnabled("missing", { key: "u" }, true)).toBe(true);
    expect(client.variant("missing", { key: "u" }, "red")).toBe("red");
  });

  it("isEnabled gives the default when the value is not a boolean", () => {
    const client = withFlags();
    expect(client.isEnabled("on", { key: "u" })).toBe(true);
    expect(client.isEnabled("banner", { key: "u" })).toBe(false);
    expect(client.isEnabled("banner", { key: "u" }, true)).toBe(true);
  });

  it("variant gives the served value, or the default on a type mismatch or an error", () => {
    const client = withFlags();
    expect(client.variant("banner", { key: "u" }, "red")).toBe("blue");
    expect(client.variant("banner", { key: "u" }, 3)).toBe(3);
    expect(client.variant("settings", { key: "u" }, { theme: "light" })).toEqual({ theme: "dark" });
    expect(client.variant("settings", { key: "u" }, ["list"])).toEqual(["list"]);
    expect(client.variant("banner", { key: "u" }, null)).toBe("blue");
    // A rollout without its bucketing attribute is an ERROR, whose value the caller never sees.
    expect(client.evaluate("needs-key", {}).reason).toBe("ERROR");
    expect(client.variant("needs-key", {}, true)).toBe(true);
    expect(client.isEnabled("needs-key", {}, true)).toBe(true);
  });

  it("never throws, whatever the context or key", () => {
    const client = withFlags();
    for (const context of garbage) {
      for (const key of ["on", "banner", "missing", 7, null, "__proto__", "constructor"]) {
        expect(() => client.evaluate(key as string, context as EvaluationContext)).not.toThrow();
        expect(() => client.isEnabled(key as string, context as EvaluationContext)).not.toThrow();
        expect(() => client.variant(key as string, context as EvaluationContext, "d")).not.toThrow();
      }
      expect(() => client.allFlags(context as EvaluationContext)).not.toThrow();
    }
    expect(client.evaluate("on", null as never)).toMatchObject({ reason: "ERROR", errorCode: "INVALID_CONTEXT" });
    expect(client.evaluate("__proto__", { key: "u" }).reason).toBe("FLAG_NOT_FOUND");
  });

  it("allFlags evaluates every flag for the context", () => {
    const client = withFlags();
    const all = client.allFlags({ key: "u" });
    expect(Object.keys(all).sort()).toEqual(["banner", "needs-key", "on", "settings"]);
    expect(all.banner).toEqual({ value: "blue", variant: "a", reason: "STATIC" });
  });

  it("track() never throws, whatever it is given", () => {
    const client = withFlags();
    expect(() => client.track("purchase", { key: "u" }, 9.99)).not.toThrow();
    expect(() => client.track(undefined as never, null as never, "x" as never)).not.toThrow();
    for (const context of [...hostileValues(), ...garbage]) {
      for (const value of [1, Number.NaN, Number.POSITIVE_INFINITY, "x", undefined]) {
        expect(() => client.track("hostile", context as EvaluationContext, value as number)).not.toThrow();
      }
    }
    expect(() => {
      for (let i = 0; i < 50_000; i++) client.track("burst", { key: `u${i}` });
    }).not.toThrow();
  });

  it("survives listeners that throw anything, and logs each throw", async () => {
    const log = memoryLogger();
    const client = withFlags(log.logger);
    const thrown = hostileValues();
    for (const value of thrown) {
      client.on("ready", () => {
        throw value;
      });
    }
    const after: unknown[] = [];
    client.on("ready", (status) => after.push(status));
    await expect(client.ready()).resolves.toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(after).toHaveLength(1);
    expect(log.lines.filter((line) => line.message === "a listener threw")).toHaveLength(thrown.length);
    expect(client.isEnabled("on", { key: "u" })).toBe(true);
  });

  it("variant() gives back a default it cannot inspect", () => {
    const client = withFlags();
    const odd = revokedProxy();
    expect(client.variant("settings", { key: "u" }, odd as never)).toBe(odd);
    expect(client.variant("missing", { key: "u" }, odd as never)).toBe(odd);
  });

  it("refuses to start without a url or a key", () => {
    expect(() => createClient({ url: "", sdkKey: "k" })).toThrow(TypeError);
    expect(() => createClient({ url: "http://x", sdkKey: undefined as never })).toThrow(TypeError);
  });
});
