import type { AppContext } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../logger.ts';

/** Hono's per-request variables for every route in src/api. */
export interface ApiEnv {
  Variables: {
    ctx: AppContext;
    log: Logger;
    requestId: string;
    principal?: Principal;
  };
}
