#!/usr/bin/env -S npx tsx
import { Command } from 'commander';
import { printableError } from '../db/errors.ts';
import { registerModelCommands } from './model.ts';
import { registerOperationCommands } from './operations.ts';
import { registerPrivacyCommands } from './privacy.ts';
import { registerReindexCommand } from './reindex.ts';
import { registerTransferCommands } from './transfer.ts';
import { registerUserCommands } from './user.ts';
import { registerWorkerCommand } from './worker.ts';

// `zhida <command>` (or `npm run cli -- <command>`): one file per command group.
const program = new Command('zhida').description('知答 Zhida command line: import, export, models, users, reindex');
registerUserCommands(program);
registerModelCommands(program);
registerWorkerCommand(program);
registerReindexCommand(program);
registerTransferCommands(program);
registerOperationCommands(program);
registerPrivacyCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Database errors without their parameters, connection strings without passwords.
  console.error(`Error: ${printableError(err)}`);
  process.exitCode = 1;
}
