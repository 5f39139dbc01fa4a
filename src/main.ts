import { ensureAppBuilt } from './app-build.ts';
import { ConfigError, loadConfig } from './config.ts';
import { readEnvFile, reloadSettings } from './config-reload.ts';
import { DataDirLockedError } from './db/client.ts';
import { printableError } from './db/errors.ts';
import { createLogger } from './logger.ts';
import { demoCredentialsBanner, startZhida } from './start.ts';

// `npm start`: build the app if needed, start API + editor in one process, stop cleanly on signals.
async function main() {
  let config;
  try {
    // ZHIDA_ENV_FILE's values override the environment (the same file SIGHUP re-reads).
    config = loadConfig({ ...process.env, ...readEnvFile(process.env.ZHIDA_ENV_FILE) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  if (process.env.ZHIDA_SKIP_APP_BUILD !== '1') ensureAppBuilt((m) => console.log(m));
  const started = performance.now();
  let zhida;
  try {
    zhida = await startZhida(config, { log });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const lines = [
    '',
    `知答 Zhida is running at ${zhida.url}  (started in ${Math.round(performance.now() - started)} ms, database: ${zhida.ctx.database.kind})`,
  ];
  if (zhida.generatedAdminToken) {
    lines.push(`Master API key (shown once; only its hash is stored): ${zhida.generatedAdminToken}`);
  }
  if (zhida.demo) lines.push(demoCredentialsBanner());
  console.log(lines.join('\n') + '\n');

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await zhida.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // SIGHUP: re-read ZHIDA_ENV_FILE and apply what changes without a restart (src/config-reload.ts).
  process.on('SIGHUP', () => {
    try {
      const result = reloadSettings(config, log);
      log.info(result, 'settings reloaded (SIGHUP)');
    } catch (err) {
      log.error({ message: (err as Error).message }, 'settings not reloaded');
    }
  });
}

main().catch((err) => {
  console.error(printableError(err));
  process.exit(1);
});
