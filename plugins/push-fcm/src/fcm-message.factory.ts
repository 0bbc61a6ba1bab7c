import { type OutboundMessage, PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

/** One FCM v1 `Message` addressed to a device token, in firebase-admin's spelling (it renames keys on the wire). */
export interface FcmMessage {
  readonly token: string;
  readonly notification: { readonly title?: string; readonly body: string };
  /** Read by the app, e.g. to open the notification's detail; FCM allows string values only. */
  readonly data: Readonly<Record<string, string>>;
  readonly android: {
    readonly priority: 'high' | 'normal';
    readonly collapseKey?: string;
    readonly notification: { readonly tag: string };
  };
  readonly apns: { readonly headers: Readonly<Record<string, string>> };
}

// What FCM issues: printable ASCII without spaces (about 160 characters today); anything else cannot be a token.
const DEVICE_TOKEN = /^[\x21-\x7e]{1,4096}$/;
// A hub-given collapse key becomes Android's collapse key, its tag and `apns-collapse-id`, which allows 64 bytes.
const COLLAPSE_KEY = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The FCM message for an outbound push, or the `PluginError` that makes sending it pointless.
 *
 * Critical messages go at high priority (Android `high`, APNs `10`) so they wake a dozing device; the rest go at normal
 * priority (`normal`, `5`), which the platforms may delay to save battery. The Android tag and `apns-collapse-id` are
 * the notification id, or `metadata.collapseKey` when the hub sets one: a retried delivery then replaces the first
 * copy on the device instead of showing twice, since FCM has no idempotency key.
 * @example fcmMessageFor(anOutboundMessage({ channel: 'push', to: token, metadata: { messageClass: 'critical' } }))
 */
export function fcmMessageFor(message: OutboundMessage): FcmMessage | PluginError {
  if (!DEVICE_TOKEN.test(message.to)) {
    return new PluginError(PluginErrorCode.InvalidRecipient, 'the recipient is not an FCM registration token');
  }
  const critical = message.metadata.messageClass === 'critical';
  const collapseKey = COLLAPSE_KEY.test(message.metadata.collapseKey ?? '') ? message.metadata.collapseKey : undefined;
  const tag = collapseKey ?? message.notificationId;
  const title = message.subject?.trim() ?? '';
  return {
    token: message.to,
    notification: title === '' ? { body: message.body } : { title, body: message.body },
    data: dataFor(message),
    android: {
      priority: critical ? 'high' : 'normal',
      ...(collapseKey === undefined ? {} : { collapseKey }),
      notification: { tag },
    },
    apns: {
      headers: {
        'apns-priority': critical ? '10' : '5',
        'apns-push-type': 'alert',
        'apns-collapse-id': tag,
      },
    },
  };
}

/** Ids and labels the app needs to show and open the notification; never the rest of the metadata, which is the hub's. */
function dataFor(message: OutboundMessage): Record<string, string> {
  const { messageClass } = message.metadata;
  return {
    notificationId: message.notificationId,
    eventId: message.eventId,
    eventType: message.eventType,
    agencyCode: message.agencyCode,
    locale: message.locale,
    ...(messageClass === undefined ? {} : { messageClass }),
  };
}
