import type { Command } from 'commander';
import { maskExistingPersonalData } from '../privacy/mask-existing.ts';
import { cliConfig, withDatabase } from './database.ts';

/** `zhida privacy mask-existing`: a one-off pass over rows stored before masking on the way in. */
export function registerPrivacyCommands(program: Command): void {
  const privacy = program.command('privacy').description('Personal data / 个人信息保护');
  privacy
    .command('mask-existing')
    .description('Mask card, ID, mobile, account numbers and e-mails in stored search logs, bot transcripts and feedback (idempotent, audited)')
    .action(async () => {
      await withDatabase(
        cliConfig(),
        async ({ db }) => {
          const r = await maskExistingPersonalData(db);
          console.log(`masked: search log ${r.searchLog}, bot turns ${r.botTurns}, feedback comments ${r.feedback}`);
        },
        'Stop the server first (the embedded database has one opener), or run it against DATABASE_URL.',
      );
    });
}
