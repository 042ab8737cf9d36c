/**
 * Exit codes are the CLI's contract with pipelines: a script branches on the kind of failure
 * (retry a conflict, page someone on auth) without parsing messages.
 */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  conflict: 5,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure the CLI reports on stderr and turns into its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad arguments, or an input file that cannot be applied as written. */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose usage line to show beside the message. */
    readonly command?: string,
  ) {
    super(exitCodes.usage, message);
    this.name = "UsageError";
  }
}

/** The exit code for an HTTP failure status: the one place statuses become codes. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return exitCodes.auth;
  if (status === 404) return exitCodes.notFound;
  if (status === 409 || status === 428) return exitCodes.conflict;
  return exitCodes.failure;
}
