/** Rows of db.execute() on either driver (PGlite returns {rows}, postgres.js an array). */
export function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}
