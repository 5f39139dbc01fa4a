import { defineConfig } from 'drizzle-kit';

// Generates SQL into migrations/; the server applies them at start-up (src/db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/*.ts',
  out: './migrations',
});
