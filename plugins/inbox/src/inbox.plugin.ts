import { PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { InboxProvider } from './inbox.provider.js';

export type InboxConfig = Readonly<Record<string, never>>;

/** The inbox plugin: no settings, since it writes to the hub's own database through `context.inbox`. */
export const inboxPlugin: PluginManifest<InboxConfig> = {
  id: 'inbox',
  channel: 'inbox',
  version: '0.1.0',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_config, context) => {
    if (context.inbox === undefined) {
      throw new PluginError(PluginErrorCode.InvalidConfig, 'the inbox plugin needs the hub to provide an inbox writer (context.inbox)');
    }
    return new InboxProvider(context.inbox);
  },
};
