#!/usr/bin/env node
/**
 * Entry point of the `vaultlink` command (`npm run vaultlink -- …`, `npm run simulate`, or the
 * package's bin). Commands live in program.ts; this file only binds them to the process.
 */
import { processIO } from './io';
import { runCli } from './program';

void runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
  // A command that leaves a handle open (a socket the SDK keeps alive) must not hang the shell;
  // the timer is unref'd, so it only fires when something else keeps the process alive.
  setTimeout(() => process.exit(code), 2000).unref();
});
