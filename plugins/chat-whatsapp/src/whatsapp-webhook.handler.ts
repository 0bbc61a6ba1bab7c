import { describeError } from '@kabar/core';
import { type InboundKind, type PluginContext, type ProviderInbound, type ProviderReceipt, ProviderWebhookErrorCode, type ProviderWebhookRequest, type ProviderWebhookResponse } from '@kabar/plugin-sdk';

import { WhatsAppWebhookError } from './whatsapp-webhook.exception.js';
import { parseWebhook } from './whatsapp-webhook.parser.js';
import { type SignatureRejection, verifyWebhookSignature } from './whatsapp-webhook.signature.js';
import { type SubscriptionRejection, verifySubscription } from './whatsapp-webhook.subscription.js';
import type { WhatsAppInbound, WhatsAppStatus, WhatsAppWebhook } from './whatsapp-webhook.type.js';

/**
 * How long a POST waits for the hub to take its receipts and replies before answering 200 anyway (the rest carries
 * on): Meta counts a slow answer as a failed delivery and sends the whole webhook again.
 */
export const ACK_WITHIN_MS = 3_000;

export interface WhatsAppWebhookHandlerOptions {
  readonly pluginId: string;
  /** Signs every POST (`X-Hub-Signature-256`); without it POSTs are refused, never taken unsigned. */
  readonly appSecret?: string;
  /** What the GET handshake must present; without it no subscription is accepted. */
  readonly verifyToken?: string;
  readonly context: Pick<PluginContext, 'logger' | 'onDeliveryReceipt' | 'onInbound'>;
}

const SIGNATURE_REASONS: Readonly<Record<SignatureRejection, string>> = {
  'missing-header': 'no X-Hub-Signature-256 header: Meta signs every webhook it sends',
  'malformed-header': 'X-Hub-Signature-256 is not one sha256=<64 hex digits>',
  'no-matching-signature': "X-Hub-Signature-256 does not match the body under the configured appSecret (is it the app secret of the Meta app that sends these webhooks?)",
};

const SUBSCRIPTION_REFUSALS: Readonly<Record<SubscriptionRejection, { refused: ProviderWebhookErrorCode; reason: string }>> = {
  'not-a-subscription': { refused: ProviderWebhookErrorCode.Malformed, reason: 'not a subscription handshake: hub.mode must be "subscribe"' },
  'wrong-verify-token': { refused: ProviderWebhookErrorCode.Forbidden, reason: "hub.verify_token is not the plugin's verifyToken: enter the same value in Meta's webhook settings" },
  'bad-challenge': { refused: ProviderWebhookErrorCode.Malformed, reason: 'hub.challenge is missing, or not a plain token of letters, digits, - and _' },
};

/**
 * The plugin's side of `GET|POST /v1/plugins/<name>/webhook`: Meta's subscription handshake, and signed webhooks whose
 * statuses become delivery receipts and whose texts become inbound messages. Refuses what it cannot authenticate.
 */
export class WhatsAppWebhookHandler {
  constructor(private readonly options: WhatsAppWebhookHandlerOptions) {}

  handle(request: ProviderWebhookRequest): Promise<ProviderWebhookResponse> {
    switch (request.method) {
      case 'GET':
        return Promise.resolve(this.subscribe(request.query));
      case 'POST':
        return this.receive(request);
    }
  }

  private subscribe(query: URLSearchParams): ProviderWebhookResponse {
    const { verifyToken, pluginId } = this.options;
    if (verifyToken === undefined || verifyToken === '') {
      return { refused: ProviderWebhookErrorCode.NotConfigured, reason: `${pluginId} has no verifyToken: set one in its configuration, then the same value as the verify token in Meta's webhook settings` };
    }
    const answer = verifySubscription(query, verifyToken);
    // Meta expects the challenge back as the whole body, nothing around it.
    return answer.accepted ? { status: 200, contentType: 'text/plain; charset=utf-8', body: answer.challenge } : SUBSCRIPTION_REFUSALS[answer.reason];
  }

  private async receive(request: ProviderWebhookRequest): Promise<ProviderWebhookResponse> {
    const { appSecret, pluginId } = this.options;
    if (appSecret === undefined || appSecret === '') {
      return { refused: ProviderWebhookErrorCode.NotConfigured, reason: `${pluginId} has no appSecret, so it cannot tell Meta's webhooks from forged ones: set the Meta app's secret in its configuration` };
    }
    const signature = verifyWebhookSignature(request.body, request.headers['x-hub-signature-256'], appSecret);
    if (!signature.valid) return { refused: ProviderWebhookErrorCode.BadSignature, reason: SIGNATURE_REASONS[signature.reason] };
    let webhook: WhatsAppWebhook;
    try {
      webhook = parseWebhook(request.body);
    } catch (error) {
      // The message names the part that is wrong (a JSON path), never a value from the body.
      if (error instanceof WhatsAppWebhookError) return { refused: ProviderWebhookErrorCode.Malformed, reason: error.message };
      throw error;
    }
    const forwarded = this.forward(webhook);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ACK_WITHIN_MS)));
    const notTaken = await Promise.race([forwarded, late]);
    clearTimeout(timer);
    // Meta sends a refused webhook again, whole, for days: receipts apply once (a later copy changes nothing), and the
    // hub publishes a reply once by its provider message id.
    if (notTaken !== 'late' && notTaken > 0) {
      return { refused: ProviderWebhookErrorCode.NotRecorded, reason: `the hub could not record ${String(notTaken)} of its statuses and messages; send it again` };
    }
    return { status: 200 };
  }

  /** Hands receipts and text replies to the hub in the order Meta listed them; resolves to how many it did not take. */
  private async forward(webhook: WhatsAppWebhook): Promise<number> {
    const { context, pluginId } = this.options;
    let receipts = 0;
    let replies = 0;
    let notTaken = 0;
    for (const status of webhook.statuses) {
      const receipt = receiptOf(status);
      if (receipt === undefined) continue;
      receipts += 1;
      if (!(await this.call('delivery receipt', () => context.onDeliveryReceipt?.(receipt)))) notTaken += 1;
    }
    for (const message of webhook.inbound) {
      const reply = inboundOf(message);
      if (reply === undefined) continue;
      replies += 1;
      if (!(await this.call('inbound message', () => context.onInbound?.(reply)))) notTaken += 1;
    }
    // Counts only: statuses and messages name citizens.
    context.logger.debug({ plugin: pluginId, statuses: webhook.statuses.length, receipts, messages: webhook.inbound.length, replies, notTaken }, 'WhatsApp webhook taken');
    return notTaken;
  }

  /**
   * A hook that fails means the hub could not record it (PluginContext): logged, the next one still gets its turn,
   * and the webhook is refused so Meta sends it again. Resolves to whether the hook took it.
   */
  private async call(what: string, hook: () => void | Promise<void>): Promise<boolean> {
    try {
      await hook();
      return true;
    } catch (error) {
      this.options.context.logger.warn({ plugin: this.options.pluginId, error: describeError(error) }, `the hub did not take a ${what}`);
      return false;
    }
  }
}

/**
 * A citizen's message as the hub takes it: text, a button or list reply (with the id its template gave it), media
 * (with Meta's media id and type), a location or contact card, a reaction; with the notification it answers. A
 * message type Meta added after this plugin was written is not forwarded.
 */
function inboundOf(message: WhatsAppInbound): ProviderInbound | undefined {
  if (message.kind === 'unsupported') return undefined;
  const kind: InboundKind = message.kind === 'interactive' ? 'button' : message.kind;
  return {
    channel: 'whatsapp',
    from: message.from,
    to: message.phoneNumberId,
    text: message.text ?? '',
    providerMessageId: message.providerMessageId,
    ...(kind === 'text' ? {} : { kind }),
    ...(message.payload === undefined ? {} : { payload: message.payload }),
    ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
    ...(message.mediaId === undefined ? {} : { media: { id: message.mediaId, ...(message.mimeType === undefined ? {} : { mimeType: message.mimeType }) } }),
  };
}

/** `sent` says no more than the send's own outcome; `read` implies delivered. */
function receiptOf(status: WhatsAppStatus): ProviderReceipt | undefined {
  const messageId = status.providerMessageId;
  switch (status.state) {
    case 'sent':
      return undefined;
    case 'delivered':
    case 'read':
      return { messageId, state: 'delivered', stat: status.state };
    case 'failed':
      return { messageId, state: 'failed', stat: 'failed', ...(status.errorCode === undefined ? {} : { error: String(status.errorCode) }) };
  }
}
