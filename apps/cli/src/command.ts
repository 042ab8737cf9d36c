/** What a command is: its words, arguments and options (for parsing and --help), and its action. */
import type { ApiClient } from "./client.js";
import { UsageError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Shown in help as `--env ENV`. */
  valueName?: string;
  description: string;
}

export interface Output {
  /** Results: what `--json` replaces with JSON. */
  stdout(text: string): void;
  /** Messages: progress, warnings, errors. */
  stderr(text: string): void;
}

export interface CommandContext {
  api: ApiClient;
  json: boolean;
  output: Output;
}

export interface CommandInput {
  /** Positional arguments after the command's words. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

export interface CommandSpec {
  /** The words that name it: ["flags", "list"]. */
  words: string[];
  /** Arguments as shown in help; a trailing `?` marks an optional one. */
  args: string[];
  summary: string;
  /** Longer help: what it does, what it prints, examples. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code, or nothing for success. */
  run(context: CommandContext, input: CommandInput): Promise<number | void>;
}

export const envOption: OptionSpec = {
  type: "string",
  valueName: "ENV",
  description: "environment key (default: production)",
};

export const reasonOption: OptionSpec = { type: "string", valueName: "TEXT", description: "why, recorded in the audit log" };

export const defaultEnvironment = "production";

export function commandName(spec: Pick<CommandSpec, "words">): string {
  return spec.words.join(" ");
}

export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === "string" ? value : undefined;
}

export function requireOption(spec: CommandSpec, input: CommandInput, name: string): string {
  const value = stringOption(input, name);
  if (value === undefined || value.trim() === "") throw new UsageError(`--${name} is required`, commandName(spec));
  return value;
}

export function environmentOf(input: CommandInput): string {
  return stringOption(input, "env") ?? defaultEnvironment;
}

/** A whole number within bounds, or a usage error naming the option. */
export function integerOption(spec: CommandSpec, input: CommandInput, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = stringOption(input, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`}, not '${value}'`, commandName(spec));
  }
  return number;
}

/** Prints `value` as JSON under --json, else the human text. */
export function printResult(context: CommandContext, value: unknown, human: () => string): void {
  context.output.stdout(context.json ? JSON.stringify(value, null, 2) : human());
}
