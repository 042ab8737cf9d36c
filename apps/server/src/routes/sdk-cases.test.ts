/**
 * The server evaluates exactly as core does: every case of core's published cases.json is
 * stored through the admin API and evaluated through POST /sdk/v1/evaluate.
 */
import { describe, expect, it } from "vitest";
import { cases, groupsWithUniqueKeys, storableCases, storeCase } from "../test-support/cases.js";
import { createHarness } from "../test-support/harness.js";

describe("server evaluation agrees with cases.json", () => {
  it("stores most cases through the API", () => {
    expect(storableCases.length).toBeGreaterThan(cases.length * 0.85);
  });

  groupsWithUniqueKeys(storableCases).forEach((group, groupIndex) => {
    it(`group ${groupIndex + 1}: ${group.length} cases`, async () => {
      const h = await createHarness();
      const admin = async (method: string, path: string, body?: unknown) => h.call("admin", method, path, body === undefined ? {} : { body });
      for (const [index, c] of group.entries()) {
        const environment = `case-${index}`;
        await storeCase(admin, c, environment);
        const serverKey = h.token({ kind: "server", name: `key-${environment}`, environment });
        const response = await h.app.request("/sdk/v1/evaluate", {
          method: "POST",
          headers: { Authorization: `Bearer ${serverKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({ key: c.flag.key, context: c.context }),
        });
        expect(response.status).toBe(200);
        const { key: _key, ...result } = (await response.json()) as Record<string, unknown>;
        expect(result, c.name).toEqual(c.expected);
      }
    }, 60_000);
  });
});
