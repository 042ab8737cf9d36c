import { describe, expect, it } from "vitest";
import { Emitter } from "./emitter.js";
import { createLog, describeError } from "./log.js";

function recorder() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: createLog({ error: (message, fields) => void lines.push({ message, fields }) }) };
}

describe("Emitter", () => {
  it("calls listeners in order, unsubscribes, and isolates a listener that throws", () => {
    const { lines, log } = recorder();
    const emitter = new Emitter<{ tick: number }>(log);
    const seen: string[] = [];
    const off = emitter.on("tick", (n) => seen.push(`a${n}`));
    emitter.on("tick", () => {
      throw new Error("bad listener");
    });
    emitter.on("tick", (n) => seen.push(`c${n}`));
    emitter.emit("tick", 1);
    off();
    emitter.emit("tick", 2);
    expect(seen).toEqual(["a1", "c1", "c2"]);
    expect(lines).toEqual([
      { message: "a listener threw", fields: { event: "tick", error: "Error: bad listener" } },
      { message: "a listener threw", fields: { event: "tick", error: "Error: bad listener" } },
    ]);
    emitter.clear();
    emitter.emit("tick", 3);
    expect(seen).toEqual(["a1", "c1", "c2"]);
  });

  it("isolates listeners whose throws cannot be described, and a logger that throws", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile: unknown[] = [
      Object.create(null),
      { toString: () => { throw new Error("toString"); } },
      Object.defineProperty(new Error("x"), "message", { get: () => { throw new Error("message"); } }),
      proxy,
      new Proxy({}, { getPrototypeOf: () => { throw new Error("getPrototypeOf"); }, get: () => { throw new Error("get"); } }),
    ];
    const { lines, log } = recorder();
    const logs = [log, createLog({ error: () => { throw new Error("logger"); } })];
    for (const target of logs) {
      const emitter = new Emitter<{ tick: number }>(target);
      let reached = 0;
      for (const value of hostile) {
        emitter.on("tick", () => {
          throw value;
        });
      }
      emitter.on("tick", () => void reached++);
      expect(() => emitter.emit("tick", 1)).not.toThrow();
      expect(reached).toBe(1);
    }
    expect(lines).toHaveLength(hostile.length);
    for (const line of lines) expect(typeof line.fields!.error).toBe("string");
  });
});

describe("describeError", () => {
  it("describes errors and other values, and never throws", () => {
    expect(describeError(new TypeError("bad"))).toBe("TypeError: bad");
    expect(describeError("text")).toBe("text");
    expect(describeError(42)).toBe("42");
    expect(describeError(Object.create(null))).toBe("an error that cannot be described");
  });
});
