/**
 * Parses the command line, runs one command and turns every outcome into an exit code. No
 * process globals: main.ts passes argv, the environment and the output streams.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ApiClient } from "./client.js";
import { commandName, type CommandSpec, type OptionSpec, type Output } from "./command.js";
import { commands } from "./commands/index.js";
import { CliError, exitCodes, UsageError } from "./errors.js";
import { commandHelp, globalOptions, overviewHelp, usageLine } from "./help.js";

export interface RunOptions {
  /** SWITCHYARD_URL and SWITCHYARD_TOKEN are read from here. */
  env: Record<string, string | undefined>;
  output: Output;
}

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

function parseConfig(options: Record<string, OptionSpec>): ParseOptions {
  return Object.fromEntries(Object.entries(options).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]));
}

/** Every command's options, so the first pass can tell option values from command words. */
const allOptions: ParseOptions = parseConfig(Object.assign({}, globalOptions, ...commands.map((spec) => spec.options)));

/** The command named by the leading words; the longest match wins. */
function findCommand(words: string[]): CommandSpec | undefined {
  return commands
    .filter((spec) => spec.words.every((word, index) => words[index] === word))
    .sort((a, b) => b.words.length - a.words.length)[0];
}

export async function run(argv: string[], { env, output }: RunOptions): Promise<number> {
  let spec: CommandSpec | undefined;
  try {
    const { positionals, values } = parseArgs({ args: argv, options: allOptions, strict: false, allowPositionals: true });
    const wantsHelp = values.help === true;
    spec = findCommand(positionals);
    if (!spec) {
      const group = commands.some((command) => command.words.length > 1 && command.words[0] === positionals[0]) ? positionals[0] : undefined;
      if (wantsHelp && (positionals.length === 0 || (group !== undefined && positionals.length === 1))) {
        output.stdout(overviewHelp(commands, group));
        return exitCodes.ok;
      }
      const what = positionals.length === 0 ? "no command given" : `unknown command '${positionals.slice(0, group ? 2 : 1).join(" ")}'`;
      output.stderr(`switchyard: ${what}\n\n${overviewHelp(commands, group)}`);
      return exitCodes.usage;
    }
    if (wantsHelp) {
      output.stdout(commandHelp(spec));
      return exitCodes.ok;
    }
    const parsed = parseStrict(spec, argv);
    const api = new ApiClient({ url: configured(parsed.options.url, env.SWITCHYARD_URL, spec, "url"), token: configuredToken(parsed.options.token, env.SWITCHYARD_TOKEN) });
    const code = await spec.run({ api, json: parsed.options.json === true, output }, parsed);
    return code ?? exitCodes.ok;
  } catch (error) {
    return reportError(error, spec, output);
  }
}

function parseStrict(spec: CommandSpec, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseConfig({ ...globalOptions, ...spec.options }), strict: true, allowPositionals: true });
  } catch (error) {
    // node:util's messages name the option and how to pass a value starting with a dash.
    throw new UsageError(error instanceof Error ? error.message : String(error), commandName(spec));
  }
  const args = parsed.positionals.slice(spec.words.length);
  const required = spec.args.filter((arg) => !arg.endsWith("?")).length;
  if (args.length < required) throw new UsageError(`missing <${spec.args[args.length]}>`, commandName(spec));
  if (args.length > spec.args.length) throw new UsageError(`unexpected argument '${args[spec.args.length]}'`, commandName(spec));
  return { args, options: parsed.values as Record<string, string | boolean | undefined> };
}

function configured(flag: string | boolean | undefined, variable: string | undefined, spec: CommandSpec, name: string): string {
  const value = typeof flag === "string" && flag !== "" ? flag : variable;
  if (value === undefined || value === "") throw new UsageError(`no server URL: set SWITCHYARD_URL or pass --${name}`, commandName(spec));
  return value;
}

/** Missing credentials are an authentication failure, whichever way they were meant to arrive. */
function configuredToken(flag: string | boolean | undefined, variable: string | undefined): string {
  const value = typeof flag === "string" && flag !== "" ? flag : variable;
  if (value === undefined || value === "") throw new CliError(exitCodes.auth, "no token: set SWITCHYARD_TOKEN or pass --token");
  return value.trim();
}

function reportError(error: unknown, spec: CommandSpec | undefined, output: Output): number {
  if (error instanceof UsageError) {
    const command = error.command !== undefined ? commands.find((candidate) => commandName(candidate) === error.command) : undefined;
    const usage = command ? `\nusage: ${usageLine(command)}\nRun \`switchyard ${commandName(command)} --help\` for details.` : "";
    output.stderr(`switchyard: ${error.message}${usage}`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    output.stderr(`switchyard: ${error.message}`);
    return error.exitCode;
  }
  const where = spec ? ` in '${commandName(spec)}'` : "";
  output.stderr(`switchyard: unexpected error${where}: ${error instanceof Error ? error.message : String(error)}`);
  return exitCodes.failure;
}
