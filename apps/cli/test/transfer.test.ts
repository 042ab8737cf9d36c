/** `export` and `import` against the real server: stable files, dry runs, applying, conflicts. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditPageView, FlagView } from "@switchyard/core";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { ApiClient } from "../src/client.js";
import { listAllFlags } from "../src/commands/flags.js";
import { CliError } from "../src/errors.js";
import { applyImport } from "../src/transfer/apply.js";
import { parseDocument } from "../src/transfer/document.js";
import { planImport } from "../src/transfer/import-plan.js";
import { startServer, type Server } from "./support.js";

let s: Server;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh server per test: each starts from the same three flags. */
beforeEach(async () => {
  s = await startServer();
  const create = (body: object) => s.h.call("admin", "POST", "/api/v1/flags", { body });
  await create({ key: "new-checkout", name: "New checkout", tags: ["checkout"] });
  await create({ key: "banner", kind: "string", variants: [{ key: "blue", value: "blue" }, { key: "none", value: "" }], tags: ["web"] });
  await create({ key: "old-header" });
  await s.h.call("admin", "POST", "/api/v1/flags/old-header/archive", { body: { version: 1 } });
  return () => s.close();
});

const file = (name: string) => join(dir, name);
const flag = async (key: string): Promise<FlagView> => (await s.h.call("admin", "GET", `/api/v1/flags/${key}`)).json;
const auditCount = async () => ((await s.h.call("admin", "GET", "/api/v1/audit?limit=500")).json as AuditPageView).entries.length;

async function exportJson(): Promise<any> {
  const result = await s.cli(["export", "--env", "production", "--json"]);
  expect(result.code).toBe(0);
  return result.json;
}

describe("export", () => {
  test("prints every flag of the environment, archived too, sorted, with versions and no timestamps", async () => {
    const result = await s.cli(["export", "--env", "production"]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.format).toBe("switchyard.flags/v1");
    expect(document.environment).toBe("production");
    expect(document.flags.map((f: any) => f.key)).toEqual(["banner", "new-checkout", "old-header"]);
    expect(document.flags[1]).toEqual({
      key: "new-checkout",
      name: "New checkout",
      description: "",
      kind: "boolean",
      variants: [{ key: "on", value: true }, { key: "off", value: false }],
      tags: ["checkout"],
      clientVisible: false,
      salt: expect.any(String),
      archived: false,
      version: 1,
      config: {
        enabled: false, killed: false, killReason: null, targets: [], rules: [], fallthrough: { variant: "on" },
        offVariant: "off", clientVisible: null, version: 1,
      },
    });
    expect(document.flags[2]).toMatchObject({ key: "old-header", archived: true, version: 2, config: { version: 2 } });
    expect(result.stdout).not.toMatch(/updatedAt|createdAt/);
    expect((await s.cli(["export", "--env", "production"])).stdout).toBe(result.stdout);
  });

  test("writes YAML to --out (the format follows the extension) that reads back as the same document", async () => {
    const out = file("production.yaml");
    const result = await s.cli(["export", "--env", "production", "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`exported 3 flag(s) of production to ${out}`);
    const yaml = readFileSync(out, "utf8");
    // Quoted, so YAML 1.1 readers do not take the variant keys for booleans.
    expect(yaml).toContain('- key: "on"');
    expect(parseYaml(yaml)).toEqual(await exportJson());
    expect((await s.cli(["export", "--format", "yaml"])).stdout).toBe(yaml);
  });

  test("an unknown environment exits 4; an unknown format exits 2", async () => {
    expect((await s.cli(["export", "--env", "moon"])).code).toBe(4);
    expect((await s.cli(["export", "--format", "xml"])).code).toBe(2);
  });
});

describe("import", () => {
  test("a file exported and not edited changes nothing", async () => {
    writeFileSync(file("same.json"), JSON.stringify(await exportJson()));
    const before = await auditCount();
    const result = await s.cli(["import", file("same.json"), "--apply"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("production: 0 created, 0 updated, 0 conflict(s), 3 unchanged");
    expect(await auditCount()).toBe(before);
  });

  test("a dry run prints the diff per flag and changes nothing", async () => {
    const document = await exportJson();
    const [banner, checkout] = document.flags;
    checkout.config.enabled = true;
    checkout.tags.push("web");
    banner.description = "Top of the page";
    document.flags.push({ key: "dark-mode", name: "Dark mode", tags: ["web"], config: { enabled: true } });
    const path = file("edited.yaml");
    writeFileSync(path, JSON.stringify(document));
    const before = { audit: await auditCount(), checkout: await flag("new-checkout") };

    const result = await s.cli(["import", path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "~ banner: update",
        '    description: "" → "Top of the page"',
        "+ dark-mode: create",
        '    name: (none) → "Dark mode"',
        '    tags: (none) → ["web"]',
        "    config.enabled: (none) → true",
        "~ new-checkout: update",
        '    tags[1]: (none) → "web"',
        "    config.enabled: false → true",
        "production: 1 to create, 2 to update, 0 conflict(s), 1 unchanged (dry run)",
        "",
      ].join("\n"),
    );
    expect(result.stderr).toContain("dry run: nothing was written; run again with --apply");
    expect(await auditCount()).toBe(before.audit);
    expect(await flag("new-checkout")).toEqual(before.checkout);
    expect((await s.h.call("admin", "GET", "/api/v1/flags/dark-mode")).status).toBe(404);

    const json = await s.cli(["import", path, "--json"]);
    expect(json.json).toMatchObject({ environment: "production", applied: false, summary: { create: 1, update: 2, conflict: 0, unchanged: 1 } });
    expect(json.json.flags[2]).toEqual({
      key: "new-checkout",
      action: "update",
      changes: [{ path: "tags[1]", after: "web" }, { path: "config.enabled", before: false, after: true }],
    });
  });

  test("--apply writes the changes, creates missing flags, and a new export matches the file", async () => {
    const document = await exportJson();
    const [banner, checkout, header] = document.flags;
    // A new variant and a config serving it, in one import: the flag is written first.
    banner.variants.push({ key: "red", value: "red" });
    banner.config.fallthrough = { variant: "red" };
    banner.config.enabled = true;
    checkout.config.rules = [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "on" } }];
    checkout.config.killed = true;
    checkout.config.killReason = "pending legal review";
    header.archived = false;
    document.flags.push({ key: "dark-mode", kind: "string", variants: [{ key: "dark", value: "dark" }, { key: "light", value: "light" }], config: { enabled: true, fallthrough: { variant: "dark" } } });
    const path = file("apply.json");
    writeFileSync(path, JSON.stringify(document));

    const result = await s.cli(["import", path, "--apply", "--json", "--reason", "quarterly cleanup"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ applied: true, summary: { create: 1, update: 3, conflict: 0, unchanged: 0 } });

    const production = async (key: string) => (await flag(key)).environments.production!;
    expect((await flag("banner")).variants.map((v) => v.key)).toEqual(["blue", "none", "red"]);
    expect(await production("banner")).toMatchObject({ enabled: true, fallthrough: { variant: "red" } });
    expect(await production("new-checkout")).toMatchObject({ killed: true, killReason: "pending legal review", rules: [{ serve: { variant: "on" } }] });
    expect((await flag("old-header")).archived).toBe(false);
    expect(await flag("dark-mode")).toMatchObject({ kind: "string", environments: { production: { enabled: true, fallthrough: { variant: "dark" } }, staging: { enabled: false } } });
    const audit = ((await s.h.call("admin", "GET", "/api/v1/audit?flag=banner&limit=5")).json as AuditPageView).entries;
    expect(audit[0]).toMatchObject({ action: "flag.config.update", reason: "quarterly cleanup", actor: { name: "pipeline" } });

    // What the server holds now is what the file said (defaults it left out filled in): the same
    // file again, and a fresh export, both find nothing to change.
    expect((await s.cli(["import", path, "--json"])).json.summary).toEqual({ create: 0, update: 0, conflict: 0, unchanged: 4 });
    writeFileSync(path, JSON.stringify(await exportJson()));
    expect((await s.cli(["import", path, "--json"])).json.summary).toEqual({ create: 0, update: 0, conflict: 0, unchanged: 4 });
  });

  test("a flag changed on the server since the export is a conflict: exit 5, named, nothing written", async () => {
    const document = await exportJson();
    const [banner, checkout] = document.flags;
    banner.description = "edited in the file";
    checkout.config.enabled = true;
    const path = file("stale.yaml");
    writeFileSync(path, JSON.stringify(document));
    // Meanwhile an operator rolls the checkout out from the UI.
    expect((await s.h.call("editor", "POST", "/api/v1/flags/new-checkout/environments/production/rollout", { body: { percent: 10 } })).status).toBe(200);
    const before = await auditCount();

    for (const args of [["import", path], ["import", path, "--apply"]]) {
      const result = await s.cli(args);
      expect(result.code, args.join(" ")).toBe(5);
      expect(result.stdout).toContain("! new-checkout: conflict: the config changed on the server since the export (v2 there, v1 in the file)");
      expect(result.stdout).toContain("~ banner: update");
      expect(result.stdout).toMatch(/production: 0 to create, 1 to update, 1 conflict\(s\), 1 unchanged \((dry run|nothing written)\)/);
      expect(result.stderr).toContain("conflict: new-checkout changed on the server since the export; nothing was written");
    }
    expect(await auditCount()).toBe(before);
    expect((await flag("banner")).description).toBe("");

    // The stale flag taken out of the file, the rest applies: flags not in the file are left alone.
    document.flags = document.flags.filter((f: any) => f.key !== "new-checkout");
    writeFileSync(path, JSON.stringify(document));
    const result = await s.cli(["import", path, "--apply"]);
    expect(result.code).toBe(0);
    expect((await flag("banner")).description).toBe("edited in the file");
  });

  test("a change between planning and writing is refused by the server, not overwritten", async () => {
    const document = await exportJson();
    document.flags[0].description = "from the file";
    document.flags[1].config.enabled = true;
    const api = new ApiClient({ url: s.url, token: s.adminToken });
    const plans = planImport(parseDocument(JSON.stringify(document), "test").flags, [...(await listAllFlags(api)), ...(await listAllFlags(api, { archived: true }))], "production");
    expect(plans.map((plan) => plan.action)).toEqual(["update", "update", "unchanged"]);
    // Between the plan and its writes, an operator rolls the checkout out.
    await s.h.call("editor", "POST", "/api/v1/flags/new-checkout/environments/production/rollout", { body: { percent: 10 } });

    const error = await applyImport(api, plans, "production", "test").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(5);
    expect((error as CliError).message).toMatch(/^flag 'new-checkout': version 1 is stale; the current version is 2 \(HTTP 409\)\. It changed on the server during the import.*Already written: banner\.$/);
    expect((await flag("new-checkout")).environments.production).toMatchObject({ enabled: false, fallthrough: { rollout: { variants: [{ weight: 10000 }, { weight: 90000 }] } } });
  });

  test("a file without versions cannot change existing flags blindly", async () => {
    const path = file("hand-written.yaml");
    writeFileSync(path, "flags:\n  - key: new-checkout\n    config:\n      enabled: true\n");
    const result = await s.cli(["import", path, "--apply"]);
    expect(result.code).toBe(5);
    expect(result.stdout).toContain("the file records no config version");
    expect((await flag("new-checkout")).environments.production!.enabled).toBe(false);
  });

  test("reads stdin for -", async () => {
    const document = await exportJson();
    document.flags[1].config.enabled = true;
    const result = await s.cli(["import", "-", "--apply"], { stdin: JSON.stringify(document) });
    expect(result.code).toBe(0);
    expect((await flag("new-checkout")).environments.production!.enabled).toBe(true);
  });

  test("files that cannot be applied as written exit 2 and change nothing", async () => {
    const document = await exportJson();
    const write = (name: string, text: string) => {
      writeFileSync(file(name), text);
      return file(name);
    };
    const cases: [string[], string][] = [
      [["import", write("kind.json", JSON.stringify({ ...document, flags: [{ ...document.flags[1], kind: "string" }] }))], "new-checkout.kind: cannot change"],
      [["import", write("bad-rule.json", JSON.stringify({ ...document, flags: [{ ...document.flags[1], config: { ...document.flags[1].config, rules: [{ clauses: [{ attribute: "country", op: "within", values: ["NL"] }], serve: { variant: "on" } }] } }] }))], "flags[0].config.rules[0].clauses[0].op: Invalid option"],
      [["import", write("new-string.json", JSON.stringify({ flags: [{ key: "colour", kind: "string" }] }))], "colour.variants: are required for string, number and json flags"],
      [["import", write("typo.json", JSON.stringify({ flags: [{ key: "banner", config: { enabeld: true } }] }))], "flags[0].config.enabeld: is not a known field"],
      [["import", write("twice.json", JSON.stringify({ flags: [{ key: "banner" }, { key: "banner" }] }))], "flags[1].key: 'banner' appears twice"],
      [["import", write("other-env.json", JSON.stringify(document)), "--env", "staging"], "was exported from 'production'"],
      [["import", write("broken.yaml", "flags: [\n")], "is neither JSON nor YAML"],
      [["import", write("not-export.yaml", "hello: world\n")], "has no `flags` list"],
      [["import", file("missing.json")], "cannot read"],
    ];
    const before = await auditCount();
    for (const [args, message] of cases) {
      const result = await s.cli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect(await auditCount()).toBe(before);
  });
});
