/**
 * Database errors without their data. drizzle wraps a failed query in an error whose message holds
 * the whole statement and every parameter (password and key hashes, customer text); postgres.js
 * attaches `parameters`; a PostgreSQL `detail` quotes key values. None of that may reach a log line
 * or a client: what is kept is the SQLSTATE, the server's message (it names types and constraints,
 * not values), the table/constraint/column and the statement's first words.
 */
export interface DbErrorSummary {
  type: string;
  message: string;
  code?: string;
  table?: string;
  constraint?: string;
  column?: string;
  /** e.g. 'insert into "answer_versions"': which statement failed, without parameters. */
  statement?: string;
}

type Loose = Error & Record<string, unknown>;

/** True when the error (or one it wraps) came from a database query. */
export function isDbError(err: unknown): boolean {
  return summarizeDbError(err) !== null;
}

function statementName(query: unknown): string | undefined {
  if (typeof query !== 'string') return undefined;
  const m = /^\s*(with\s+\S+\s+as\s+\(|)\s*(select|insert\s+into|update|delete\s+from|analyze|lock\s+table)\s*("?[\w.]+"?)?/i.exec(query);
  return m ? `${m[2]!.toLowerCase()}${m[3] ? ` ${m[3]}` : ''}`.trim() : query.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase();
}

/** The safe summary of a database error, or null when `err` is not one. */
export function summarizeDbError(err: unknown): DbErrorSummary | null {
  let e = err as Loose | undefined;
  let statement: string | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const name = (e.constructor as { name?: string } | undefined)?.name ?? e.name;
    if (name === 'DrizzleQueryError') {
      statement = statementName(e.query);
      e = e.cause as Loose | undefined;
      if (!e) return { type: 'DatabaseError', message: 'query failed', statement };
      continue;
    }
    const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
    if (name === 'PostgresError' || (sqlstate && (name === 'DatabaseError' || 'severity' in e || 'routine' in e))) {
      const out: DbErrorSummary = { type: 'DatabaseError', message: String(e.message ?? 'query failed'), code: sqlstate };
      for (const key of ['table', 'constraint', 'column'] as const) {
        const v = e[key] ?? e[`${key}_name`];
        if (typeof v === 'string') out[key] = v;
      }
      statement ??= statementName(e.query);
      if (statement) out.statement = statement;
      return out;
    }
    if (statement) return { type: 'DatabaseError', message: String(e.message ?? 'query failed').split('\n')[0]!.slice(0, 200), statement };
    e = e.cause as Loose | undefined;
  }
  return null;
}

/** One line for logs and messages: the safe summary for database errors, else the error's message. */
export function safeErrorMessage(err: unknown): string {
  const db = summarizeDbError(err);
  if (db) return [db.message, db.code && `(SQLSTATE ${db.code})`, db.statement && `in ${db.statement}`].filter(Boolean).join(' ');
  return err instanceof Error ? err.message : String(err);
}

/**
 * An error as printed on a terminal when a process gives up: database errors summarised, and
 * credentials in any connection string masked (Node's 'Invalid URL' errors quote their input).
 */
export function printableError(err: unknown): string {
  const input = (err as { input?: unknown } | null)?.input;
  const text = summarizeDbError(err) ? safeErrorMessage(err) : err instanceof Error ? `${err.name}: ${err.message}${typeof input === 'string' ? ` (${input})` : ''}` : String(err);
  return text.replace(/(\w+:\/\/)[^@\s/]*@/g, '$1***@');
}
