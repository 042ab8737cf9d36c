/**
 * The SDK evaluates exactly as the server does: every case of core's cases.json that the admin API
 * accepts is stored on a real server, then evaluated by a Node client over its stream and by
 * POST /sdk/v1/evaluate, and both must equal the case's expected result.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvaluationContext } from "@switchyard/core";
import { cases, groupsWithUniqueKeys, storableCases as storable, storeCase } from "../../../apps/server/src/test-support/cases.js";
import { createClient } from "../src/node/client.js";
import { startServer, type RunningServer } from "./support/server.js";

async function store(server: RunningServer, c: (typeof cases)[number], environment: string): Promise<string> {
  await storeCase(server.admin, c, environment);
  return server.serverKey(environment);
}

async function serverEvaluate(server: RunningServer, key: string, flagKey: string, context: unknown) {
  const response = await fetch(`${server.url}/sdk/v1/evaluate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ key: flagKey, context }),
  });
  expect(response.status).toBe(200);
  const { key: _key, ...result } = (await response.json()) as Record<string, unknown>;
  return result;
}

describe("SDK evaluation agrees with the server and cases.json", () => {
  it("covers most cases", () => {
    expect(storable.length).toBeGreaterThan(cases.length * 0.85);
  });

  groupsWithUniqueKeys(storable).forEach((group, groupIndex) => {
    describe(`group ${groupIndex + 1}`, () => {
      let server: RunningServer;
      beforeAll(async () => {
        server = await startServer();
      });
      afterAll(() => server.close());

      it(`${group.length} cases`, async () => {
        for (const [index, c] of group.entries()) {
          const sdkKey = await store(server, c, `case-${index}`);
          const client = createClient({ url: server.url, sdkKey, logger: {} });
          try {
            expect(await client.ready(), c.name).toBe(true);
            const local = client.evaluate(c.flag.key, c.context as EvaluationContext);
            const remote = await serverEvaluate(server, sdkKey, c.flag.key, c.context);
            expect(local, c.name).toStrictEqual(remote);
            expect(local, c.name).toEqual(c.expected);
          } finally {
            await client.close();
          }
        }
      }, 120_000);
    });
  });
});
