import { describeError, type Logger } from '@kabar/core';
import type { ProviderWebhookRequest, ProviderWebhookResponse } from '@kabar/plugin-sdk';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { PLUGIN_REGISTRY } from '../delivery/delivery.tokens.js';
import type { PluginRegistry } from '../delivery/plugin-registry.js';
import { ProviderWebhookRouteErrorCode } from './provider-webhook.errors.js';
import { internalProblem, webhookProblem, type WebhookReply } from './provider-webhook.reply.js';

/** Names are install names or ids (UUIDs) or plugin ids; anything longer is not one, and is not quoted back. */
const MAX_QUOTED_NAME = 100;

/**
 * Hands a peer's webhook to the provider the URL names and turns its answer into the HTTP reply. The provider
 * authenticates the request (signatures, verify tokens) and reports receipts and replies through its context.
 */
@Injectable()
export class ProviderWebhooksService {
  constructor(
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async handle(name: string, request: ProviderWebhookRequest): Promise<WebhookReply> {
    const route = this.plugins.lookup(name);
    if (route === undefined) {
      const named = name.length > MAX_QUOTED_NAME ? 'so named' : `named "${name}"`;
      return webhookProblem(
        ProviderWebhookRouteErrorCode.UnknownTarget,
        `no enabled plugin install and no plugin configured at start is ${named}: use the install's name or id as the admin API shows them, or the id of a plugin configured at start`,
      );
    }
    const { pluginId, provider } = route;
    if (provider.webhook === undefined) return webhookProblem(ProviderWebhookRouteErrorCode.NotSupported, `${pluginId} takes no webhooks`);
    let response: ProviderWebhookResponse;
    try {
      response = await provider.webhook(request);
    } catch (error) {
      this.logger.error({ plugin: pluginId, error: describeError(error) }, 'a provider webhook failed instead of answering');
      return internalProblem();
    }
    if ('refused' in response) {
      // Plugins keep reasons free of personal data and secrets (ProviderWebhookRefusal); the body is never logged.
      this.logger.warn({ plugin: pluginId, method: request.method, code: response.refused, reason: response.reason }, 'provider webhook refused');
      return webhookProblem(response.refused, response.reason);
    }
    if (!Number.isInteger(response.status) || response.status < 200 || response.status > 299) {
      this.logger.error({ plugin: pluginId, status: response.status }, 'a provider webhook answered with a status other than 2xx; refusals are { refused, reason }');
      return internalProblem();
    }
    const body = response.body ?? '';
    return { status: response.status, body, ...(body === '' ? {} : { contentType: response.contentType ?? 'text/plain; charset=utf-8' }) };
  }
}
