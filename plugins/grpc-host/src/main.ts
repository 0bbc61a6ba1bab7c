// The out-of-process plugin host: serves one plugin package over gRPC (kabar.v1.ChannelPlugin) for a hub elsewhere.
//   KABAR_PLUGIN_MODULE=@kabar/plugin-webhook-http KABAR_PLUGIN_CONFIG='{"url":…,"secret":…}' node plugins/grpc-host/dist/main.js
// Exit codes, as the hub's: 0 stopped by SIGTERM/SIGINT, 1 unexpected, 2 invalid configuration, 4 cannot listen.
import { ConfigError } from '@kabar/config';
import { describeError } from '@kabar/core';
import { type ChannelPluginServer, PluginConfigError, PluginError, PluginErrorCode, serveChannelPlugin } from '@kabar/plugin-sdk';
import { pino } from 'pino';

import { type HostSettings, parseHostSettings } from './host-settings.js';
import { loadPluginManifest } from './plugin-module.loader.js';

const EXIT_CODES = { ok: 0, unexpected: 1, invalidConfig: 2, cannotListen: 4 } as const;

/** Plain text on stderr: an operator reads it, and it comes before (or instead of) the log. Never echoes the config. */
function refuse(message: string): never {
  process.stderr.write(`kabar plugin host: ${message}\n`);
  process.exit(EXIT_CODES.invalidConfig);
}

function readSettings(): HostSettings {
  try {
    return parseHostSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigError) refuse(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const settings = readSettings();
  // Synchronous writes: few lines, and they must come out in order even when the process exits right after one.
  const logger = pino({ level: settings.logLevel, base: { service: 'kabar-plugin-host' } }, pino.destination({ dest: 1, sync: true }));
  const manifest = await loadPluginManifest(settings.module).catch((error: unknown) => {
    if (error instanceof ConfigError) refuse(error.message);
    throw error;
  });

  let server: ChannelPluginServer;
  try {
    server = await serveChannelPlugin({
      manifest,
      config: settings.pluginConfig,
      // The host lends only the logger: serveChannelPlugin adds the receipt and inbound hooks, which feed `Events`.
      context: { logger },
      address: settings.address,
      eventBufferSize: settings.eventBufferSize,
      ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    });
  } catch (error) {
    // PluginConfigError lists paths and reasons, never values (secrets).
    if (error instanceof PluginConfigError) refuse(`${error.message}\n(from KABAR_PLUGIN_CONFIG)`);
    if (error instanceof PluginError && error.code === PluginErrorCode.InvalidConfig) refuse(`invalid configuration for plugin ${manifest.id}: ${error.message}`);
    if (error instanceof PluginError) throw error;
    logger.fatal({ plugin: manifest.id, address: settings.address, error: describeError(error) }, `cannot listen on ${settings.address}`);
    process.exit(EXIT_CODES.cannotListen);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ plugin: manifest.id, signal }, 'stopping: finishing calls in flight');
    server.close().then(
      () => {
        logger.info({ plugin: manifest.id }, 'stopped');
        process.exit(EXIT_CODES.ok);
      },
      (error: unknown) => {
        logger.error({ plugin: manifest.id, error: describeError(error) }, 'error while stopping');
        process.exit(EXIT_CODES.unexpected);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  const host = settings.address.slice(0, settings.address.lastIndexOf(':'));
  const address = `${host}:${server.port}`;
  logger.info({ plugin: manifest.id, address, channel: manifest.channel, version: manifest.version, tls: settings.tls !== undefined }, `plugin ${manifest.id} listening on ${address}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`kabar plugin host: unexpected error while starting: ${describeError(error)}\n`);
  process.exit(EXIT_CODES.unexpected);
}
