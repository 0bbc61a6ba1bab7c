import 'reflect-metadata';

import type { Server } from 'node:http';

import { ConfigError, type KabarConfig, loadConfig } from '@kabar/config';
import { describeError } from '@kabar/core';
import { pino } from 'pino';

import { createHub } from './create-hub.js';
import { EXIT_CODES, exitCodeFor, StartupError } from './errors/startup-error.js';

function readConfig(): KabarConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Plain text on stderr: this happens before logging is configured, and an operator reads it.
    process.stderr.write(`kabar hub: ${error.message}\nSee the configuration table in README.md.\n`);
    process.exit(EXIT_CODES.invalidConfig);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'kabar-hub', role: config.role } });
  try {
    const app = await createHub(config, logger);
    // Our own handler rather than Nest's shutdown hooks: close everything in order, then exit 0, so an orchestrator
    // sees a clean stop instead of a death by signal.
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: draining consumers and the outbox relay');
      app.close().then(
        () => {
          logger.info('stopped');
          process.exit(EXIT_CODES.ok);
        },
        (error: unknown) => {
          logger.error({ error: describeError(error) }, 'error while stopping');
          process.exit(EXIT_CODES.unexpected);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      await app.listen(config.port, config.host);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') {
        await app.close();
        logger.fatal({ port: config.port }, `port ${config.port} on ${config.host} is already in use; stop the other process or set PORT`);
        process.exit(EXIT_CODES.portInUse);
      }
      throw error;
    }
    const address = (app.getHttpServer() as Server).address() as { port: number } | null;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${address?.port ?? config.port}`;
    logger.info({ url, role: config.role, database: config.database.kind, bus: config.kafka === null ? 'in-process' : 'kafka' }, `Kabar hub listening on ${url} (GraphQL IDE at ${url}/graphql)`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kabar hub: ${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(EXIT_CODES.invalidConfig);
    }
    if (error instanceof StartupError) {
      logger.fatal({ code: error.code }, `cannot start: ${error.message}`);
      process.exit(exitCodeFor(error.code));
    }
    logger.fatal({ error: describeError(error), stack: error instanceof Error ? error.stack : undefined }, 'unexpected error while starting');
    process.exit(EXIT_CODES.unexpected);
  }
}

await main();
