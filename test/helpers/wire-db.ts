import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { connectPostgres, createPglite, type Database } from '../../src/db/client.ts';

/**
 * PGlite served over the Postgres wire protocol, reached through postgres.js: the production driver
 * path without a Postgres server. The pool has one connection (pglite-socket serialises
 * transactions); a second socket slot is for the migrator's dedicated locking connection.
 */
export async function createWireDatabase(): Promise<Database & { url: string }> {
  const pglite = await createPglite();
  const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1', maxConnections: 2 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const database = connectPostgres(url, { max: 1 });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await server.stop();
      await pglite.close();
    },
  };
}
