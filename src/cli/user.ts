import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { createUser, PASSWORD_MAX, PASSWORD_MIN } from '../auth/users.ts';
import { roles, type Role } from '../db/schema/index.ts';
import { cliConfig, fail, withDatabase } from './database.ts';

const input = z.object({
  email: z.email('--email is not a valid address'),
  name: z.string().trim().min(1, '--name is required').max(100),
  role: z.enum(roles, `--role must be one of ${roles.join(', ')}`),
  password: z.string().min(PASSWORD_MIN, `--password needs at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX).optional(),
});

/**
 * `zhida user create --email --name --role [--password]`: the first admin of a fresh install (or a
 * break-glass account) without the HTTP API. Without --password a random one is generated and
 * printed once; it is audited as a system action.
 */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('Staff accounts / 员工账号');
  user
    .command('create')
    .description('Create a staff user (prints a generated password once when --password is not given)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
    .option('--password <password>', `at least ${PASSWORD_MIN} characters (visible in shell history: prefer the generated one)`)
    .action(async (opts: { email: string; name: string; role: string; password?: string }) => {
      const parsed = input.safeParse(opts);
      if (!parsed.success) fail(parsed.error.issues.map((i) => i.message).join('\n'));
      const { email, name, role, password: given } = parsed.data;
      const password = given ?? randomBytes(15).toString('base64url');
      await withDatabase(cliConfig(), async ({ db }) => {
        const created = await createUser(db, { kind: 'system' }, { email, name, role: role as Role, password });
        console.log(`Created ${created.role} ${created.email} (${created.id})`);
        if (!given) console.log(`Password (shown once, change it after signing in): ${password}`);
      });
    });
}
