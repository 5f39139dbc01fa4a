#!/usr/bin/env -S npx tsx
import { Command } from 'commander';

// `zhida <command>` (or `npm run cli -- <command>`). Each area registers its own commands.
const program = new Command('zhida').description('知答 Zhida command line: import, export, models, users, reindex');

(await import('./auth/cli.ts')).registerUserCommands(program);
(await import('./embedding/cli.ts')).registerEmbeddingCommands(program);
(await import('./answers/cli.ts')).registerAnswerCommands(program);
await program.parseAsync(process.argv);
