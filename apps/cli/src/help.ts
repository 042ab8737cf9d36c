/** Help text for the whole CLI, a group of commands (`flags`) and one command. */
import { commandName, type CommandSpec, type OptionSpec } from "./command.js";
import { exitCodes } from "./errors.js";

export const globalOptions: Record<string, OptionSpec> = {
  url: { type: "string", valueName: "URL", description: "server URL (default: $SWITCHYARD_URL)" },
  token: { type: "string", valueName: "TOKEN", description: "admin or automation token (default: $SWITCHYARD_TOKEN; prefer the variable, arguments show in process lists)" },
  json: { type: "boolean", description: "print machine-readable JSON on stdout" },
  help: { type: "boolean", short: "h", description: "show help" },
};

const exitCodeHelp = [
  "Exit codes:",
  `  ${exitCodes.ok}  success`,
  `  ${exitCodes.usage}  usage: bad arguments or an import file that cannot be applied as written`,
  `  ${exitCodes.auth}  authentication or permission (HTTP 401/403), or no token configured`,
  `  ${exitCodes.notFound}  not found (HTTP 404): flag, environment or plan`,
  `  ${exitCodes.conflict}  conflict (HTTP 409/428): changed since read or exported; nothing overwritten`,
  `  ${exitCodes.failure}  anything else (server unreachable, invalid values, server errors)`,
].join("\n");

export function usageLine(spec: CommandSpec): string {
  const args = spec.args.map((arg) => (arg.endsWith("?") ? `[${arg.slice(0, -1)}]` : `<${arg}>`));
  return `switchyard ${[commandName(spec), ...args].join(" ")}${Object.keys(spec.options).length > 0 ? " [options]" : ""}`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const labels = Object.entries(options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : "";
    return [`${short}--${name}${option.valueName ? ` ${option.valueName}` : ""}`, option.description] as const;
  });
  const width = Math.max(...labels.map(([label]) => label.length));
  return labels.map(([label, description]) => `  ${label.padEnd(width)}  ${description}`);
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, "", spec.summary];
  if (spec.details) lines.push("", spec.details);
  if (Object.keys(spec.options).length > 0) lines.push("", "Options:", ...optionLines(spec.options));
  lines.push("", "Global options:", ...optionLines(globalOptions), "", exitCodeHelp);
  return lines.join("\n");
}

export function overviewHelp(commands: CommandSpec[], group?: string): string {
  const shown = group === undefined ? commands : commands.filter((spec) => spec.words[0] === group);
  const width = Math.max(...shown.map((spec) => usageLine(spec).length));
  return [
    "Usage: switchyard <command> [options]",
    "",
    "Switchyard's command line, for pipelines and operators. Configure with SWITCHYARD_URL and",
    "SWITCHYARD_TOKEN (or --url and --token). Results go to stdout, messages to stderr.",
    "",
    "Commands:",
    ...shown.map((spec) => `  ${usageLine(spec).padEnd(width)}  ${spec.summary}`),
    "",
    "Global options:",
    ...optionLines(globalOptions),
    "",
    "Run `switchyard <command> --help` for a command's options.",
    "",
    exitCodeHelp,
  ].join("\n");
}
