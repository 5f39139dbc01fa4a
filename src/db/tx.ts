import type { Db } from './client.ts';

/** A transaction or the database: derived data is updated inside the transaction that changed the answer. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;
