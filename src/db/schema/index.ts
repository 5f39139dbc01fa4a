// Every table, for drizzle's typed queries. drizzle-kit reads the same files (drizzle.config.ts).
export * from './auth.ts';
export * from './settings.ts';
export * from './answers.ts';
export * from './audit.ts';
export * from './embedding.ts';
export * from './search.ts';
export * from './gaps.ts';
