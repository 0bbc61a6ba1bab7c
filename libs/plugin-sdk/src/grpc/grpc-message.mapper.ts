import { create } from '@bufbuild/protobuf';
import { pluginProto } from '@kabar/contracts';

import { type Channel, CHANNELS } from '../channel.type.js';
import type { OutboundMessage } from '../outbound-message.type.js';
import { PluginError } from '../plugin-error.exception.js';
import { PluginErrorCode } from '../plugin-error-code.enum.js';
import { failedOutcome, sentOutcome } from '../send-outcome.factory.js';
import type { SendOutcome } from '../send-outcome.type.js';

// The SDK's types and the .proto mirror each other; these tables are where they meet, typed so that a new channel or
// error code in the SDK does not compile until it has a wire value too.

const PROTO_CHANNEL: Readonly<Record<Channel, pluginProto.Channel>> = {
  sms: pluginProto.Channel.SMS,
  email: pluginProto.Channel.EMAIL,
  push: pluginProto.Channel.PUSH,
  whatsapp: pluginProto.Channel.WHATSAPP,
  inbox: pluginProto.Channel.INBOX,
  webhook: pluginProto.Channel.WEBHOOK,
  console: pluginProto.Channel.CONSOLE,
};

const PROTO_ERROR_CODE: Readonly<Record<PluginErrorCode, pluginProto.ErrorCode>> = {
  [PluginErrorCode.Timeout]: pluginProto.ErrorCode.TIMEOUT,
  [PluginErrorCode.ConnectionFailed]: pluginProto.ErrorCode.CONNECTION_FAILED,
  [PluginErrorCode.RateLimited]: pluginProto.ErrorCode.RATE_LIMITED,
  [PluginErrorCode.ProviderError]: pluginProto.ErrorCode.PROVIDER_ERROR,
  [PluginErrorCode.Rejected]: pluginProto.ErrorCode.REJECTED,
  [PluginErrorCode.InvalidRecipient]: pluginProto.ErrorCode.INVALID_RECIPIENT,
  [PluginErrorCode.Unauthorized]: pluginProto.ErrorCode.UNAUTHORIZED,
  [PluginErrorCode.InvalidConfig]: pluginProto.ErrorCode.INVALID_CONFIG,
};

const CHANNEL_OF = new Map<number, Channel>(CHANNELS.map((channel) => [PROTO_CHANNEL[channel], channel]));
const ERROR_CODE_OF = new Map<number, PluginErrorCode>(Object.values(PluginErrorCode).map((code) => [PROTO_ERROR_CODE[code], code]));

/** @example toProtoChannel('sms') // pluginProto.Channel.SMS */
export function toProtoChannel(channel: Channel): pluginProto.Channel {
  return PROTO_CHANNEL[channel];
}

/** The SDK channel of a wire value, or `undefined` for UNSPECIFIED and values this hub does not know. */
export function fromProtoChannel(value: pluginProto.Channel): Channel | undefined {
  return CHANNEL_OF.get(value);
}

/** @example toProtoErrorCode(PluginErrorCode.RateLimited) // pluginProto.ErrorCode.RATE_LIMITED */
export function toProtoErrorCode(code: PluginErrorCode): pluginProto.ErrorCode {
  return PROTO_ERROR_CODE[code];
}

/** The SDK code of a wire value; UNSPECIFIED and unknown values are the plugin's fault: PROVIDER_ERROR. */
export function fromProtoErrorCode(value: pluginProto.ErrorCode): PluginErrorCode {
  return ERROR_CODE_OF.get(value) ?? PluginErrorCode.ProviderError;
}

/** The hub's message as it goes on the wire. */
export function toProtoMessage(message: OutboundMessage): pluginProto.OutboundMessage {
  return create(pluginProto.OutboundMessageSchema, {
    notificationId: message.notificationId,
    idempotencyKey: message.idempotencyKey,
    channel: toProtoChannel(message.channel),
    to: message.to,
    locale: message.locale,
    body: message.body,
    agencyCode: message.agencyCode,
    eventType: message.eventType,
    eventId: message.eventId,
    metadata: { ...message.metadata },
    ...(message.sender === undefined ? {} : { sender: message.sender }),
    ...(message.subject === undefined ? {} : { subject: message.subject }),
    ...(message.html === undefined ? {} : { html: message.html }),
    replyOptions: (message.replyOptions ?? []).map((o) => ({ id: o.id, title: o.title })),
  });
}

/**
 * A message from the wire as the SDK's `OutboundMessage`, or a `PluginError(REJECTED)` when it cannot be one (no
 * notification id, a channel this plugin host does not know).
 */
export function fromProtoMessage(message: pluginProto.OutboundMessage): OutboundMessage {
  const channel = fromProtoChannel(message.channel);
  if (channel === undefined) throw new PluginError(PluginErrorCode.Rejected, `a message has an unknown channel (${message.channel})`);
  if (message.notificationId === '') throw new PluginError(PluginErrorCode.Rejected, 'a message has no notification_id');
  return {
    notificationId: message.notificationId,
    idempotencyKey: message.idempotencyKey,
    channel,
    to: message.to,
    locale: message.locale,
    body: message.body,
    agencyCode: message.agencyCode,
    eventType: message.eventType,
    eventId: message.eventId,
    metadata: { ...message.metadata },
    ...(message.sender === undefined ? {} : { sender: message.sender }),
    ...(message.subject === undefined ? {} : { subject: message.subject }),
    ...(message.html === undefined ? {} : { html: message.html }),
    ...(message.replyOptions.length === 0 ? {} : { replyOptions: message.replyOptions.map((o) => ({ id: o.id, title: o.title })) }),
  };
}

/** A provider's outcome as it goes on the wire. */
export function toProtoOutcome(outcome: SendOutcome): pluginProto.SendOutcome {
  const result: pluginProto.SendOutcome['result'] =
    outcome.status === 'sent'
      ? { case: 'sent', value: create(pluginProto.SendOutcome_SentSchema, outcome.providerMessageId === undefined ? {} : { providerMessageId: outcome.providerMessageId }) }
      : { case: 'failed', value: create(pluginProto.SendOutcome_FailedSchema, { code: toProtoErrorCode(outcome.error.code), retryable: outcome.error.retryable, message: outcome.error.message }) };
  return create(pluginProto.SendOutcomeSchema, { notificationId: outcome.notificationId, result });
}

/**
 * A plugin's answer to a batch as SDK outcomes, checked against the batch: exactly one outcome per message, naming
 * it, in order, each either sent or failed. Anything else rejects the whole batch with a retryable PROVIDER_ERROR
 * (the SDK's rule for a batch that failed as a whole), since the hub cannot tell which messages went out.
 * A failure's `retryable` is recomputed from its code, so plugins in other languages cannot disagree with the SDK.
 */
export function fromProtoOutcomes(batch: readonly OutboundMessage[], outcomes: readonly pluginProto.SendOutcome[], where: string): SendOutcome[] {
  const garbage = (why: string): PluginError => new PluginError(PluginErrorCode.ProviderError, `${where}: the plugin's answer is unusable: ${why}`);
  if (outcomes.length !== batch.length) throw garbage(`${outcomes.length} outcomes for ${batch.length} messages`);
  return batch.map((message, index) => {
    const outcome = outcomes[index];
    if (outcome?.notificationId !== message.notificationId) throw garbage(`outcome ${index} is not for message ${index} (${message.notificationId})`);
    const { result } = outcome;
    switch (result.case) {
      case 'sent':
        return result.value.providerMessageId === undefined || result.value.providerMessageId === ''
          ? sentOutcome(message)
          : sentOutcome(message, result.value.providerMessageId);
      case 'failed':
        return failedOutcome(message, new PluginError(fromProtoErrorCode(result.value.code), result.value.message));
      case undefined:
        throw garbage(`outcome ${index} is neither sent nor failed`);
    }
  });
}
