/** Every command, in the order help lists them. */
import type { CommandSpec } from "../command.js";
import { audit } from "./audit.js";
import { flagsGet, flagsList } from "./flags.js";
import { planCommands } from "./plan.js";
import { kill, rolloutSet, toggle, unkill } from "./switches.js";
import { exportCommand, importCommand } from "./transfer.js";

export const commands: CommandSpec[] = [flagsList, flagsGet, toggle, rolloutSet, kill, unkill, ...planCommands, audit, exportCommand, importCommand];
