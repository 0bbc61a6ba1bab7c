import { create } from '@bufbuild/protobuf';
import { pluginProto } from '@kabar/contracts';

import type { Channel } from '../channel.type.js';
import type { InboundKind, ProviderInbound, ProviderReceipt } from '../provider-events.type.js';
import { fromProtoChannel, toProtoChannel } from './grpc-message.mapper.js';

type ReceiptState = ProviderReceipt['state'];

// Typed both ways so that a new receipt state in the SDK does not compile until it has a wire value too.
const PROTO_DELIVERY_STATE: Readonly<Record<ReceiptState, pluginProto.DeliveryState>> = {
  delivered: pluginProto.DeliveryState.DELIVERED,
  failed: pluginProto.DeliveryState.FAILED,
  expired: pluginProto.DeliveryState.EXPIRED,
  rejected: pluginProto.DeliveryState.REJECTED,
};

const RECEIPT_STATE_OF = new Map<number, ReceiptState>(Object.entries(PROTO_DELIVERY_STATE).map(([state, value]) => [value, state as ReceiptState]));

const PROTO_INBOUND_KIND: Readonly<Record<InboundKind, pluginProto.InboundKind>> = {
  text: pluginProto.InboundKind.TEXT,
  button: pluginProto.InboundKind.BUTTON,
  image: pluginProto.InboundKind.IMAGE,
  audio: pluginProto.InboundKind.AUDIO,
  video: pluginProto.InboundKind.VIDEO,
  document: pluginProto.InboundKind.DOCUMENT,
  sticker: pluginProto.InboundKind.STICKER,
  location: pluginProto.InboundKind.LOCATION,
  contacts: pluginProto.InboundKind.CONTACTS,
  reaction: pluginProto.InboundKind.REACTION,
};

const INBOUND_KIND_OF = new Map<number, InboundKind>(Object.entries(PROTO_INBOUND_KIND).map(([kind, value]) => [value, kind as InboundKind]));

/**
 * An event from the wire as the hub can use it, or why it cannot. `reason` never holds personal data: it names the
 * field that is wrong, not its value.
 */
export type ProviderEvent =
  | { readonly kind: 'receipt'; readonly receipt: ProviderReceipt }
  | { readonly kind: 'inbound'; readonly message: ProviderInbound }
  | { readonly kind: 'unusable'; readonly reason: string };

/** A plugin's delivery receipt as it goes on the `Events` stream. An unknown state travels as UNSPECIFIED. */
export function toProtoReceiptEvent(receipt: ProviderReceipt): pluginProto.EventsResponse {
  // Plugins in plain JavaScript can pass anything: a state the SDK does not know must not throw here.
  const state = (PROTO_DELIVERY_STATE as Readonly<Record<string, pluginProto.DeliveryState | undefined>>)[receipt.state] ?? pluginProto.DeliveryState.UNSPECIFIED;
  const value = create(pluginProto.DeliveryReceiptSchema, {
    messageId: receipt.messageId,
    state,
    stat: receipt.stat,
    ...(receipt.error === undefined ? {} : { error: receipt.error }),
  });
  return create(pluginProto.EventsResponseSchema, { event: { case: 'receipt', value } });
}

/** A message a citizen sent in, as it goes on the `Events` stream. */
export function toProtoInboundEvent(message: ProviderInbound): pluginProto.EventsResponse {
  const value = create(pluginProto.InboundMessageSchema, {
    channel: toProtoChannel(message.channel),
    from: message.from,
    to: message.to,
    text: message.text,
    ...(message.providerMessageId === undefined ? {} : { providerMessageId: message.providerMessageId }),
    // A kind the SDK does not know (a plugin in plain JavaScript) travels as UNSPECIFIED, which reads as text.
    kind: message.kind === undefined ? pluginProto.InboundKind.UNSPECIFIED : ((PROTO_INBOUND_KIND as Readonly<Record<string, pluginProto.InboundKind | undefined>>)[message.kind] ?? pluginProto.InboundKind.UNSPECIFIED),
    ...(message.payload === undefined ? {} : { payload: message.payload }),
    ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
    ...(message.media === undefined ? {} : { mediaId: message.media.id, ...(message.media.mimeType === undefined ? {} : { mediaType: message.media.mimeType }) }),
  });
  return create(pluginProto.EventsResponseSchema, { event: { case: 'inbound', value } });
}

/**
 * An event from the wire as the SDK's `ProviderReceipt` / `ProviderInbound`, checked the way the hub needs it: a
 * receipt names a message and a known final state; an inbound message comes from someone, on the route's channel.
 * @example fromProtoEvent(event, 'sms') // { kind: 'receipt', receipt: { messageId: 'tsel-000001', state: 'delivered', stat: 'DELIVRD' } }
 */
export function fromProtoEvent(event: pluginProto.EventsResponse, channel: Channel): ProviderEvent {
  const unusable = (reason: string): ProviderEvent => ({ kind: 'unusable', reason });
  switch (event.event.case) {
    case 'receipt': {
      const { messageId, state, stat, error } = event.event.value;
      const receiptState = RECEIPT_STATE_OF.get(state);
      if (messageId === '') return unusable('a delivery receipt without message_id');
      if (receiptState === undefined) return unusable(`a delivery receipt with an unknown state (${state})`);
      const receipt: ProviderReceipt = error === undefined || error === '' ? { messageId, state: receiptState, stat } : { messageId, state: receiptState, stat, error };
      return { kind: 'receipt', receipt };
    }
    case 'inbound': {
      const { from, to, text, providerMessageId, payload, replyTo, mediaId, mediaType } = event.event.value;
      const inboundChannel = fromProtoChannel(event.event.value.channel);
      if (inboundChannel === undefined) return unusable(`an inbound message on an unknown channel (${event.event.value.channel})`);
      if (inboundChannel !== channel) return unusable(`an inbound message on ${inboundChannel}, from a plugin routed for ${channel}`);
      if (from === '') return unusable('an inbound message without a sender (from)');
      // Unset, or a kind from a newer plugin: the text is what this hub can use of it.
      const kind = INBOUND_KIND_OF.get(event.event.value.kind) ?? 'text';
      const present = (value: string | undefined): value is string => value !== undefined && value !== '';
      const message: ProviderInbound = {
        channel,
        from,
        to,
        text,
        ...(present(providerMessageId) ? { providerMessageId } : {}),
        ...(kind === 'text' ? {} : { kind }),
        ...(present(payload) ? { payload } : {}),
        ...(present(replyTo) ? { replyTo } : {}),
        ...(present(mediaId) ? { media: { id: mediaId, ...(present(mediaType) ? { mimeType: mediaType } : {}) } } : {}),
      };
      return { kind: 'inbound', message };
    }
    case undefined:
      return unusable('an event of no kind this hub knows (empty, or from a newer plugin)');
  }
}
