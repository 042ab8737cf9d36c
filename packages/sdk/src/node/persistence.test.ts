/** SnapshotWriter's file handling: data on disk before the rename, and what a crashed writer left behind. */
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { snapshot } from "../test-support/fixtures.js";
import { SnapshotWriter } from "./persistence.js";

/** File operations in the order they happened, recorded by the fs mock below. */
const calls = vi.hoisted(() => [] as string[]);

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        calls.push(`sync ${String(args[0])}`);
        return sync();
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      calls.push(`rename ${from}`);
      return actual.rename(from, to);
    },
  };
});

let directory: string;
let path: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-writer-"));
  path = join(directory, "flags.json");
  calls.length = 0;
});
afterEach(() => rm(directory, { recursive: true, force: true }));

function writer() {
  const errors: Error[] = [];
  return { errors, writer: new SnapshotWriter(path, { url: "http://x", keyId: "k" }, (error) => errors.push(error)) };
}

describe("SnapshotWriter", () => {
  it("syncs the temporary file to disk before renaming it over the snapshot", async () => {
    const { writer: w, errors } = writer();
    w.save(() => snapshot(4, []));
    await w.flushed();
    expect(errors).toEqual([]);
    expect(calls).toHaveLength(2);
    const [synced, renamed] = calls;
    expect(synced).toMatch(/^sync .*\.tmp$/);
    expect(renamed).toBe(`rename ${synced!.slice("sync ".length)}`);
    expect(JSON.parse(await readFile(path, "utf8")).snapshot.revision).toBe(4);
  });

  it("removes temporary files a crashed writer abandoned, and leaves recent and unrelated ones", async () => {
    await mkdir(directory, { recursive: true });
    const abandoned = "flags.json.4242.deadbeef.tmp";
    const recent = "flags.json.4243.cafef00d.tmp";
    const unrelated = ["other.json.4242.deadbeef.tmp", "flags.json.notes.tmp"];
    for (const name of [abandoned, recent, ...unrelated]) await writeFile(join(directory, name), "{ torn");
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const name of [abandoned, ...unrelated]) await utimes(join(directory, name), anHourAgo, anHourAgo);

    const { writer: w, errors } = writer();
    w.save(() => snapshot(1, []));
    await w.flushed();
    expect(errors).toEqual([]);
    expect((await readdir(directory)).sort()).toEqual(["flags.json", recent, ...unrelated].sort());
  });
});
