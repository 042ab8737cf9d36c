import { describe, expect, it } from "vitest";
import { Emitter } from "./emitter.js";

describe("Emitter", () => {
  it("calls listeners in order, unsubscribes, and isolates a listener that throws", () => {
    const failures: unknown[] = [];
    const emitter = new Emitter<{ tick: number }>((error) => failures.push(error));
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
    expect(failures).toHaveLength(2);
    expect(emitter.count()).toBe(2);
    emitter.clear();
    expect(emitter.count()).toBe(0);
  });
});
