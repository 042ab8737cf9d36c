#!/usr/bin/env node
/** The `switchyard` bin: wires the process to `run` and leaves the exit code for Node to use once output is flushed. */
import { run } from "./cli.js";

// `switchyard flags list | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  output: {
    stdout: (text) => void process.stdout.write(`${text}\n`),
    stderr: (text) => void process.stderr.write(`${text}\n`),
  },
});
