import type { Locale, Logger } from '@kabar/core';
import type { OutboundMessage } from '@kabar/plugin-sdk';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { PLUGIN_REGISTRY } from '../delivery/delivery.tokens.js';
import type { PluginRegistry } from '../delivery/plugin-registry.js';
import { codeMessage, type CodePurpose } from './code-message.js';
import type { AddressChannel } from './contact-address.js';

export interface OutgoingCode {
  /** The one_time_code row: also the message's id and idempotency key, so a provider never sends it twice. */
  readonly id: string;
  readonly purpose: CodePurpose;
  readonly channel: AddressChannel;
  /** The decrypted address. */
  readonly to: string;
  readonly locale: Locale;
  readonly code: string;
}

/** Hands a one-time code to the channel's plugin, the same route notifications take, as a critical message. */
@Injectable()
export class CodeSender {
  constructor(
    // The same registry (and so the same provider connections) that dispatch uses.
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** True when the plugin accepted the message; failures are logged without the address or the code. */
  async send(code: OutgoingCode): Promise<boolean> {
    const route = this.plugins.route(code.channel);
    if (route === undefined) {
      this.logger.warn({ codeId: code.id, channel: code.channel }, 'no plugin serves this channel: one-time code not sent');
      return false;
    }
    const text = codeMessage(code.locale, code.purpose, code.code);
    const message: OutboundMessage = {
      notificationId: code.id,
      idempotencyKey: code.id,
      channel: code.channel,
      to: code.to,
      locale: code.locale,
      subject: text.subject,
      body: text.body,
      agencyCode: 'kabar',
      eventType: `kabar.citizen.${code.purpose}-code`,
      eventId: code.id,
      metadata: { messageClass: 'critical' },
    };
    try {
      const [outcome] = await route.provider.send([message]);
      if (outcome?.status === 'sent') return true;
      this.logger.warn({ codeId: code.id, plugin: route.pluginId, error: outcome?.error.code }, 'the plugin refused a one-time code');
    } catch (error) {
      this.logger.warn({ codeId: code.id, plugin: route.pluginId, error: error instanceof Error ? error.name : 'unknown' }, 'the plugin failed to send a one-time code');
    }
    return false;
  }
}
