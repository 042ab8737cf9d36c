import { describe, expect, it } from "vitest";
import { keyProblem } from "./key.js";
import { keySchema } from "./schema.js";

describe("keyProblem", () => {
  const accepted = ["a", "new-checkout", "v2.search_backend", "9lives", "A".repeat(128)];
  const refused = ["", "a".repeat(129), "-leading", ".dot", "_under", "has space", "ümlaut", "slash/key", "new-checkout "];

  it("accepts what the server's key schema accepts", () => {
    for (const key of accepted) {
      expect(keyProblem(key), key).toBeNull();
      expect(keySchema.safeParse(key).success, key).toBe(true);
    }
  });

  it("refuses what the schema refuses, in the schema's words", () => {
    for (const key of refused) {
      const parsed = keySchema.safeParse(key);
      expect(parsed.success, key).toBe(false);
      expect(keyProblem(key), key).toBe(parsed.error!.issues[0]!.message);
    }
  });
});
