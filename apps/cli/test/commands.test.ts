/** Every command of the built `switchyard` bin against the real server, with its exit codes. */
import type { AuditEntryView, FlagConfigView, FlagView } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type Server } from "./support.js";

let s: Server;

beforeAll(async () => {
  s = await startServer();
  const create = (body: object) => s.h.call("admin", "POST", "/api/v1/flags", { body });
  await create({ key: "new-checkout", name: "New checkout", tags: ["checkout"] });
  await create({ key: "banner", kind: "string", variants: [{ key: "blue", value: "blue" }, { key: "green", value: "green" }, { key: "none", value: "" }], tags: ["web"] });
  await create({ key: "old-header", tags: ["web"] });
  await s.h.call("admin", "POST", "/api/v1/flags/old-header/archive", { body: { version: 1 } });
});
afterAll(() => s?.close());

const config = async (flag: string, env = "production"): Promise<FlagConfigView> =>
  (await s.h.call("admin", "GET", `/api/v1/flags/${flag}/environments/${env}`)).json;

describe("flags", () => {
  test("list shows each flag's state per environment; --json gives the flags as the API does", async () => {
    const human = await s.cli(["flags", "list"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^KEY\s+KIND\s+TAGS\s+DEVELOPMENT\s+STAGING\s+PRODUCTION$/m);
    expect(human.stdout).toMatch(/^new-checkout\s+boolean\s+checkout\s+off\s+off\s+off$/m);
    expect(human.stdout).not.toContain("old-header");
    expect(human.stderr).toBe("");

    const json = await s.cli(["flags", "list", "--json"]);
    expect(json.code).toBe(0);
    const flags = json.json as FlagView[];
    expect(flags.map((flag) => flag.key)).toEqual(["banner", "new-checkout"]);
    expect(flags[1]!.environments.production!.version).toBe(1);
  });

  test("list filters by tag, text and archived", async () => {
    const keys = async (...args: string[]) => ((await s.cli(["flags", "list", "--json", ...args])).json as FlagView[]).map((flag) => flag.key);
    expect(await keys("--tag", "web")).toEqual(["banner"]);
    expect(await keys("--q", "CHECK")).toEqual(["new-checkout"]);
    expect(await keys("--archived")).toEqual(["old-header"]);
    expect(await keys("--tag", "nothing")).toEqual([]);
    expect((await s.cli(["flags", "list", "--tag", "nothing"])).stdout.trim()).toBe("no flags match");
  });

  test("get shows one flag; a missing one exits 4", async () => {
    const human = await s.cli(["flags", "get", "new-checkout"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("name: New checkout");
    expect(human.stdout).toContain("production: off  [config v1]");
    const json = await s.cli(["flags", "get", "banner", "--json"]);
    expect((json.json as FlagView).variants.map((v) => v.key)).toEqual(["blue", "green", "none"]);

    const missing = await s.cli(["flags", "get", "nope"]);
    expect(missing.code).toBe(4);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("flag 'nope' not found");
  });
});

describe("writes", () => {
  test("toggle turns a flag on and off, and says so when nothing changes", async () => {
    const on = await s.cli(["toggle", "new-checkout", "--env", "staging", "--on", "--reason", "ready for QA", "--json"]);
    expect(on.code).toBe(0);
    expect(on.json).toMatchObject({ flag: "new-checkout", environment: "staging", changed: true, config: { enabled: true, version: 2 } });
    expect((await config("new-checkout", "staging")).enabled).toBe(true);

    const again = await s.cli(["toggle", "new-checkout", "--env", "staging", "--on"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("unchanged: new-checkout in staging is on");

    const off = await s.cli(["toggle", "new-checkout", "--env", "staging", "--off"]);
    expect(off.stdout).toContain("turned off: new-checkout in staging is off [config v3]");
    expect((await config("new-checkout", "staging")).enabled).toBe(false);
  });

  test("toggle needs --env and exactly one of --on and --off", async () => {
    for (const args of [["toggle", "new-checkout", "--on"], ["toggle", "new-checkout", "--env", "staging"], ["toggle", "new-checkout", "--env", "staging", "--on", "--off"]]) {
      const result = await s.cli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("usage: switchyard toggle <flag> [options]");
    }
  });

  test("rollout set moves the fallthrough's split, or a rule's, of the variant named", async () => {
    const rollout = await s.cli(["rollout", "set", "new-checkout", "5%", "--env", "production", "--json"]);
    expect(rollout.code).toBe(0);
    expect(rollout.json.config.fallthrough).toEqual({ rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 5000 }, { variant: "off", weight: 95000 }] } });

    const human = await s.cli(["rollout", "set", "banner", "12.5", "--variant", "green"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("rolled out: banner in production is off");
    expect((await config("banner")).fallthrough).toEqual({ rollout: { bucketBy: "key", variants: [{ variant: "green", weight: 12500 }, { variant: "none", weight: 87500 }] } });

    const noRule = await s.cli(["rollout", "set", "new-checkout", "10", "--rule", "3"]);
    expect(noRule.code).toBe(1);
    expect(noRule.stderr).toContain("rule: there is no rule 3");

    const noVariant = await s.cli(["rollout", "set", "banner", "10"]);
    expect(noVariant.code).toBe(1);
    expect(noVariant.stderr).toContain("variant: is required for non-boolean flags");
  });

  test("rollout set rejects a percent outside 0 to 100 or a bad --rule before calling the server", async () => {
    for (const args of [["rollout", "set", "new-checkout", "101"], ["rollout", "set", "new-checkout", "half"], ["rollout", "set", "new-checkout", "5", "--rule", "first"], ["rollout", "set", "new-checkout"]]) {
      const result = await s.cli(args);
      expect(result.code, args.join(" ")).toBe(2);
    }
  });

  test("kill is idempotent and unkill restores the config; both need --reason", async () => {
    const before = await config("new-checkout");
    const kill = await s.cli(["kill", "new-checkout", "--reason", "smoke test failed", "--json"]);
    expect(kill.code).toBe(0);
    expect(kill.json).toMatchObject({ changed: true, config: { killed: true, killReason: "smoke test failed", killedBy: "pipeline" } });

    const again = await s.cli(["kill", "new-checkout", "--reason", "smoke test failed"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already killed: new-checkout in production is KILLED");

    expect((await s.cli(["unkill", "new-checkout"])).code).toBe(2);
    const unkill = await s.cli(["unkill", "new-checkout", "--reason", "fixed in build 813"]);
    expect(unkill.code).toBe(0);
    expect(unkill.stdout).toContain("unkilled: new-checkout in production is off [config v");
    const after = await config("new-checkout");
    expect({ ...after, version: 0, updatedAt: "" }).toEqual({ ...before, version: 0, updatedAt: "" });

    expect((await s.cli(["kill", "new-checkout"])).code).toBe(2);
    expect((await s.cli(["kill", "nope", "--reason", "x"])).code).toBe(4);
    expect((await s.cli(["kill", "new-checkout", "--env", "moon", "--reason", "x"])).code).toBe(4);
  });

  test("an automation token may kill the flags in its scope and nothing else (exit 3)", async () => {
    const token = s.h.token({ kind: "automation", name: "deploy-bot", scope: { flags: [], tags: ["checkout"], environments: ["production"] } });
    const kill = await s.cli(["kill", "new-checkout", "--reason", "canary failed"], { token });
    expect(kill.code).toBe(0);
    expect((await config("new-checkout")).killedBy).toBe("deploy-bot");
    expect((await s.cli(["unkill", "new-checkout", "--reason", "canary fixed"], { token })).code).toBe(0);

    const otherFlag = await s.cli(["kill", "banner", "--reason", "x"], { token });
    expect(otherFlag.code).toBe(3);
    expect(otherFlag.stderr).toContain("not scoped to flag 'banner'");
    expect((await s.cli(["kill", "new-checkout", "--env", "staging", "--reason", "x"], { token })).code).toBe(3);
    expect((await s.cli(["toggle", "new-checkout", "--env", "production", "--off"], { token })).code).toBe(3);
    expect((await s.cli(["rollout", "set", "new-checkout", "50"], { token })).code).toBe(3);
  });
});

describe("audit", () => {
  test("lists entries newest first, filtered by flag, environment and actor", async () => {
    const all = await s.cli(["audit", "--flag", "new-checkout", "--env", "production", "--json"]);
    expect(all.code).toBe(0);
    const entries = all.json as AuditEntryView[];
    expect(entries.length).toBeGreaterThan(3);
    expect(entries.every((entry) => entry.flag === "new-checkout" && entry.environment === "production")).toBe(true);
    expect(entries.map((entry) => entry.id)).toEqual([...entries.map((entry) => entry.id)].sort((a, b) => b - a));

    const bot = (await s.cli(["audit", "--actor", "deploy-bot", "--json"])).json as AuditEntryView[];
    expect(bot.map((entry) => entry.action)).toEqual(["flag.unkill", "flag.kill"]);
    expect(bot[1]!.reason).toBe("canary failed");

    const limited = (await s.cli(["audit", "--limit", "2", "--json"])).json as AuditEntryView[];
    expect(limited).toHaveLength(2);

    const human = await s.cli(["audit", "--actor", "deploy-bot", "--limit", "1"]);
    expect(human.stdout).toMatch(/#\d+ {2}flag\.unkill {2}new-checkout in production {2}by deploy-bot \(automation\)/);
    expect((await s.cli(["audit", "--limit", "0"])).code).toBe(2);
  });
});

describe("configuration, usage and failures", () => {
  test("--help works for the CLI, each group and every command, on stdout with exit 0", async () => {
    const overview = await s.cli(["--help"], { url: null, token: null });
    expect(overview.code).toBe(0);
    const commands = [...overview.stdout.matchAll(/^ {2}switchyard ((?:[a-z]+ ?)+?)(?= <| \[|\s{2})/gm)].map((match) => match[1]!.trim());
    expect(commands).toEqual([
      "flags list", "flags get", "toggle", "rollout set", "kill", "unkill",
      "plan status", "plan start", "plan pause", "plan resume", "plan abort", "audit", "export", "import",
    ]);
    for (const command of commands) {
      const help = await s.cli([...command.split(" "), "--help"], { url: null, token: null });
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: switchyard ${command}`);
      expect(help.stdout).toContain("Exit codes:");
    }
    const group = await s.cli(["plan", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("switchyard plan start <flag>");
    expect(group.stdout).not.toContain("switchyard kill");
  });

  test("usage errors exit 2 with the message on stderr", async () => {
    for (const args of [[], ["frobnicate"], ["flags"], ["flags", "delete", "x"], ["flags", "get"], ["flags", "get", "a", "b"], ["flags", "list", "--colour"], ["audit", "--flag"]]) {
      const result = await s.cli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^switchyard: /);
    }
    const noUrl = await s.cli(["flags", "list"], { url: null });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("SWITCHYARD_URL");
  });

  test("auth failures exit 3 and never print the token", async () => {
    const none = await s.cli(["flags", "list"], { token: null });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("SWITCHYARD_TOKEN");

    const wrong = await s.cli(["flags", "list"], { token: "sy_admin_not-a-real-token" });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).not.toContain("not-a-real-token");

    const serverKey = s.h.token({ kind: "server", name: "api", environment: "production" });
    const sdk = await s.cli(["flags", "list"], { token: serverKey });
    expect(sdk.code).toBe(3);
    expect(sdk.stdout + sdk.stderr).not.toContain(serverKey);

    const viewer = s.h.token({ kind: "admin", name: "auditor", role: "viewer" });
    expect((await s.cli(["flags", "list"], { token: viewer })).code).toBe(0);
    expect((await s.cli(["kill", "banner", "--reason", "x"], { token: viewer })).code).toBe(3);
  });

  test("--url and --token flags work in place of the environment", async () => {
    const result = await s.cli(["--url", s.url, "flags", "get", "banner", "--token", s.adminToken, "--json"], { url: null, token: null });
    expect(result.code).toBe(0);
    expect(result.json.key).toBe("banner");
    expect(result.stdout + result.stderr).not.toContain(s.adminToken);
  });

  test("an unreachable server exits 1", async () => {
    const result = await s.cli(["flags", "list"], { url: "http://127.0.0.1:9" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach http://127.0.0.1:9");
  });
});
