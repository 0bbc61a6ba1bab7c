import type { Writable } from 'node:stream';

import type { PluginManifest } from '@kabar/plugin-sdk';

import { ConsoleProvider } from './console.provider.js';

export interface ConsoleConfig {
  readonly stream: 'stdout' | 'stderr';
}

export type ConsoleStreams = Readonly<Record<ConsoleConfig['stream'], Writable>>;

/**
 * The console plugin's manifest, writing to the given streams (the process's own by default).
 * @example const manifest = consolePlugin({ stdout: new PassThrough(), stderr: process.stderr })
 */
export function consolePlugin(streams: ConsoleStreams = { stdout: process.stdout, stderr: process.stderr }): PluginManifest<ConsoleConfig> {
  return {
    id: 'console',
    channel: 'console',
    version: '0.1.0',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { stream: { type: 'string', enum: ['stdout', 'stderr'], default: 'stdout' } },
    },
    create: (config) => new ConsoleProvider(streams[config.stream], config.stream),
  };
}
