/**
 * Flags and their per-environment configs. Every write runs in one transaction with its audit
 * entry and change-log entries (see changes.ts) and publishes to the change feed after commit.
 */
import { randomBytes } from "node:crypto";
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { flagDefinition, rolloutServe, type JsonValue } from "@switchyard/core";
import type {
  CreateFlagInput,
  KillInput,
  RolloutInput,
  UpdateFlagConfigInput,
  UpdateFlagInput,
} from "@switchyard/core/api-schema";
import type { Db, Tx } from "../db/open.js";
import { environments, flagConfigs, flags } from "../db/schema.js";
import { ApiError, invalid, notFound } from "../errors.js";
import { recordChange, type Actor, type ChangeFeed, type SdkChange } from "./changes.js";
import { requireEnvironment } from "./environments.js";
import {
  assertValidDefinition,
  assertVersion,
  booleanVariants,
  initialConfig,
  toConfigView,
  toFlagView,
  type FlagConfigRow,
  type FlagRow,
} from "./flag-model.js";
import { loadSegments } from "./segments.js";

/** Written by a machine (an alert, a rollout plan): what caused it goes into the audit entry. */
export interface MachineWrite {
  now?: number;
  details?: JsonValue;
}

export interface FlagListFilter {
  q?: string;
  tag?: string;
  archived?: boolean;
  limit: number;
  after?: string;
}

export class FlagService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
  ) {}

  findFlag(key: string, tx: Tx = this.db): FlagRow | undefined {
    return tx.select().from(flags).where(eq(flags.key, key)).get();
  }

  requireFlag(key: string, tx: Tx = this.db): FlagRow {
    const flag = this.findFlag(key, tx);
    if (!flag) throw notFound(`flag '${key}'`);
    return flag;
  }

  private configsOf(tx: Tx, flag: FlagRow) {
    return tx
      .select({ environment: environments, config: flagConfigs })
      .from(flagConfigs)
      .innerJoin(environments, eq(environments.id, flagConfigs.environmentId))
      .where(eq(flagConfigs.flagId, flag.id))
      .orderBy(asc(environments.id))
      .all();
  }

  private view(tx: Tx, flag: FlagRow) {
    return toFlagView(flag, this.configsOf(tx, flag));
  }

  list(filter: FlagListFilter) {
    const conditions = [eq(flags.archived, filter.archived ?? false)];
    if (filter.q) {
      // instr, not LIKE: a search for "a_b" means those three characters.
      const q = filter.q.toLowerCase();
      conditions.push(or(sql`instr(lower(${flags.key}), ${q}) > 0`, sql`instr(lower(${flags.name}), ${q}) > 0`)!);
    }
    if (filter.after) conditions.push(gt(flags.key, filter.after));
    let rows = this.db.select().from(flags).where(and(...conditions)).orderBy(asc(flags.key)).all();
    if (filter.tag) rows = rows.filter((flag) => flag.tags.includes(filter.tag!));
    const page = rows.slice(0, filter.limit);
    return {
      flags: page.map((flag) => this.view(this.db, flag)),
      nextCursor: rows.length > filter.limit ? page.at(-1)!.key : null,
    };
  }

  get(key: string) {
    return this.view(this.db, this.requireFlag(key));
  }

  create(input: CreateFlagInput, actor: Actor, now = Date.now()) {
    const variants = input.variants ?? booleanVariants;
    const committed = this.db.transaction((tx) => {
      if (tx.select({ id: flags.id }).from(flags).where(eq(flags.key, input.key)).get()) {
        throw new ApiError("conflict", `flag '${input.key}' already exists`, [{ path: "key", message: "is already taken" }]);
      }
      const [created] = tx
        .insert(flags)
        .values({
          key: input.key,
          name: input.name ?? input.key,
          description: input.description ?? "",
          kind: input.kind,
          variants,
          tags: [...new Set(input.tags)],
          salt: input.salt ?? randomBytes(8).toString("hex"),
          clientVisible: input.clientVisible,
          archived: false,
          version: 1,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .all();
      const flag = created!;
      const changes: SdkChange[] = [];
      for (const environment of tx.select().from(environments).orderBy(asc(environments.id)).all()) {
        const [config] = tx
          .insert(flagConfigs)
          .values({ ...initialConfig(flag), flagId: flag.id, environmentId: environment.id, updatedAt: now })
          .returning()
          .all();
        const definition = flagDefinition(flag, config!);
        assertValidDefinition(definition, [], "");
        changes.push(flagChange(environment, flag.key, definition));
      }
      const view = this.view(tx, flag);
      const published = recordChange(
        tx,
        { actor, action: "flag.create", resourceKind: "flag", resourceKey: flag.key, flagKey: flag.key, before: null, after: view },
        changes,
        now,
      );
      return { view, published };
    });
    this.feed.publish(committed.published);
    return committed.view;
  }

  update(key: string, input: UpdateFlagInput, expected: number | undefined, actor: Actor, now = Date.now()) {
    const committed = this.db.transaction((tx) => {
      const flag = this.requireFlag(key, tx);
      const before = this.view(tx, flag);
      assertVersion(expected, flag.version, before, true);
      const updated: FlagRow = {
        ...flag,
        name: input.name ?? flag.name,
        description: input.description ?? flag.description,
        variants: input.variants ?? flag.variants,
        tags: input.tags ? [...new Set(input.tags)] : flag.tags,
        clientVisible: input.clientVisible ?? flag.clientVisible,
        version: flag.version + 1,
        updatedAt: now,
      };
      const fields = (row: FlagRow) => JSON.stringify([row.name, row.description, row.variants, row.tags, row.clientVisible]);
      if (fields(updated) === fields(flag)) return { view: before, published: null };
      tx.update(flags).set(updated).where(eq(flags.id, flag.id)).run();
      // Variants and visibility reach SDKs: re-validate and re-publish every environment's definition.
      const sdkVisible = input.variants !== undefined || input.clientVisible !== undefined;
      const changes: SdkChange[] = [];
      for (const { environment, config } of this.configsOf(tx, updated)) {
        const nextConfig = sdkVisible ? { ...config, version: config.version + 1, updatedAt: now } : config;
        const definition = flagDefinition(updated, nextConfig);
        assertValidDefinition(definition, loadSegments(tx, environment.id), `environments.${environment.key}.`);
        if (!sdkVisible || updated.archived) continue;
        tx.update(flagConfigs).set(nextConfig).where(configWhere(nextConfig)).run();
        changes.push(flagChange(environment, updated.key, definition));
      }
      const after = this.view(tx, updated);
      const published = recordChange(
        tx,
        { actor, action: "flag.update", resourceKind: "flag", resourceKey: key, flagKey: key, before, after, reason: input.reason ?? null },
        changes,
        now,
      );
      return { view: after, published };
    });
    this.feed.publish(committed.published);
    return committed.view;
  }

  /** Archived flags disappear from SDK snapshots (SDKs then serve their defaults); nothing is deleted. */
  setArchived(key: string, archived: boolean, expected: number | undefined, actor: Actor, now = Date.now()) {
    const committed = this.db.transaction((tx) => {
      const flag = this.requireFlag(key, tx);
      const before = this.view(tx, flag);
      assertVersion(expected, flag.version, before, false);
      if (flag.archived === archived) return { view: before, published: null };
      const updated: FlagRow = { ...flag, archived, version: flag.version + 1, updatedAt: now };
      tx.update(flags).set(updated).where(eq(flags.id, flag.id)).run();
      const changes: SdkChange[] = [];
      for (const { environment, config } of this.configsOf(tx, updated)) {
        const nextConfig = { ...config, version: config.version + 1, updatedAt: now };
        tx.update(flagConfigs).set(nextConfig).where(configWhere(nextConfig)).run();
        changes.push(flagChange(environment, key, archived ? null : flagDefinition(updated, nextConfig)));
      }
      const after = this.view(tx, updated);
      const action = archived ? "flag.archive" : "flag.unarchive";
      const published = recordChange(tx, { actor, action, resourceKind: "flag", resourceKey: key, flagKey: key, before, after }, changes, now);
      return { view: after, published };
    });
    this.feed.publish(committed.published);
    return committed.view;
  }

  getConfig(key: string, environmentKey: string) {
    const flag = this.requireFlag(key);
    const environment = requireEnvironment(this.db, environmentKey);
    return toConfigView(environment, this.requireConfig(this.db, flag, environment.id));
  }

  private requireConfig(tx: Tx, flag: FlagRow, environmentId: number): FlagConfigRow {
    const config = tx
      .select()
      .from(flagConfigs)
      .where(and(eq(flagConfigs.flagId, flag.id), eq(flagConfigs.environmentId, environmentId)))
      .get();
    if (!config) throw notFound(`config of flag '${flag.key}'`);
    return config;
  }

  updateConfig(key: string, environmentKey: string, input: UpdateFlagConfigInput, expected: number | undefined, actor: Actor) {
    const { version: _version, reason, ...changes } = input;
    return this.writeConfig(key, environmentKey, { expected, versionRequired: true, action: "flag.config.update", reason, actor }, (config) => ({
      ...config,
      ...changes,
    }));
  }

  /** Idempotent: killing a killed flag changes nothing and records nothing. */
  kill(key: string, environmentKey: string, input: KillInput, actor: Actor, { now = Date.now(), details }: MachineWrite = {}) {
    return this.writeConfig(key, environmentKey, { expected: input.version, versionRequired: false, action: "flag.kill", reason: input.reason, actor, now, details }, (config) =>
      config.killed ? config : { ...config, killed: true, killReason: input.reason, killedBy: actor.name, killedAt: now },
    );
  }

  /** Restores exactly the configuration that ran before the kill. */
  unkill(key: string, environmentKey: string, input: KillInput, actor: Actor, { details }: MachineWrite = {}) {
    return this.writeConfig(key, environmentKey, { expected: input.version, versionRequired: false, action: "flag.unkill", reason: input.reason, actor, details }, (config) =>
      config.killed ? { ...config, killed: false, killReason: null, killedBy: null, killedAt: null } : config,
    );
  }

  /** Sets the share of one variant in the fallthrough (or a rule), keeping bucketBy and variant order. */
  setRollout(key: string, environmentKey: string, input: RolloutInput, actor: Actor, { details }: MachineWrite = {}) {
    return this.writeConfig(key, environmentKey, { expected: input.version, versionRequired: false, action: "flag.rollout", reason: input.reason, actor, details }, (config, flag) => {
      const variant = input.variant ?? (flag.kind === "boolean" ? flag.variants.find((v) => v.value === true)?.key : undefined);
      if (variant === undefined) throw invalid("variant", "is required for non-boolean flags");
      if (!flag.variants.some((v) => v.key === variant)) throw invalid("variant", `'${variant}' is not a variant of this flag`);
      if (variant === config.offVariant) throw invalid("variant", "must differ from the off variant, which receives the rest");
      const weight = Math.round(input.percent * 1000);
      const current = input.rule === undefined ? config.fallthrough : config.rules[input.rule]?.serve;
      if (current === undefined) throw invalid("rule", `there is no rule ${input.rule}`);
      const serve = rolloutServe(current, weight, variant, config.offVariant);
      if (input.rule === undefined) return { ...config, fallthrough: serve };
      return { ...config, rules: config.rules.map((rule, index) => (index === input.rule ? { ...rule, serve } : rule)) };
    });
  }

  private writeConfig(
    key: string,
    environmentKey: string,
    options: {
      expected: number | undefined;
      versionRequired: boolean;
      action: string;
      reason: string | undefined;
      actor: Actor;
      now?: number;
      details?: JsonValue;
    },
    change: (config: FlagConfigRow, flag: FlagRow) => FlagConfigRow,
  ) {
    const now = options.now ?? Date.now();
    const committed = this.db.transaction((tx) => {
      const flag = this.requireFlag(key, tx);
      const environment = requireEnvironment(tx, environmentKey);
      const config = this.requireConfig(tx, flag, environment.id);
      const before = toConfigView(environment, config);
      assertVersion(options.expected, config.version, before, options.versionRequired);
      const changed = change(config, flag);
      // Repeating a kill, or saving what is already there, changes nothing and records nothing.
      if (sameConfig(changed, config)) return { view: before, changed: false, published: null };
      const next = { ...changed, version: config.version + 1, updatedAt: now };
      const definition = flagDefinition(flag, next);
      assertValidDefinition(definition, loadSegments(tx, environment.id));
      tx.update(flagConfigs).set(next).where(configWhere(next)).run();
      const after = toConfigView(environment, next);
      const published = recordChange(
        tx,
        {
          actor: options.actor,
          action: options.action,
          resourceKind: "flag_config",
          resourceKey: key,
          flagKey: key,
          environmentKey: environment.key,
          before,
          after,
          reason: options.reason ?? null,
          details: options.details ?? null,
        },
        flag.archived ? [] : [flagChange(environment, key, definition)],
        now,
      );
      return { view: after, changed: true, published };
    });
    this.feed.publish(committed.published);
    return { config: committed.view, changed: committed.changed };
  }
}

function sameConfig(a: FlagConfigRow, b: FlagConfigRow): boolean {
  const { version: _av, updatedAt: _au, ...left } = a;
  const { version: _bv, updatedAt: _bu, ...right } = b;
  return JSON.stringify(left) === JSON.stringify(right);
}

function configWhere(config: FlagConfigRow) {
  return and(eq(flagConfigs.flagId, config.flagId), eq(flagConfigs.environmentId, config.environmentId));
}

function flagChange(environment: { id: number; key: string }, key: string, payload: SdkChange["payload"]): SdkChange {
  return { environmentId: environment.id, environmentKey: environment.key, resourceKind: "flag", resourceKey: key, payload };
}
