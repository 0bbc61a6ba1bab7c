import { chatWhatsAppPlugin } from './chat-whatsapp.plugin.js';

// The hub reaches the webhook parts through the provider's webhook(); they are exported for hosts that take Meta's
// webhooks themselves.
export { type ChatWhatsAppConfig, chatWhatsAppPlugin } from './chat-whatsapp.plugin.js';
export type { CloudApiMessage, WhatsAppTemplate } from './whatsapp-message.factory.js';
export { WhatsAppWebhookError, WhatsAppWebhookErrorCode } from './whatsapp-webhook.exception.js';
export { parseWebhook } from './whatsapp-webhook.parser.js';
export { type SignatureRejection, type SignatureVerification, verifyWebhookSignature } from './whatsapp-webhook.signature.js';
export { type SubscriptionAnswer, type SubscriptionQuery, type SubscriptionRejection, verifySubscription } from './whatsapp-webhook.subscription.js';
export type { WhatsAppInbound, WhatsAppInboundKind, WhatsAppStatus, WhatsAppStatusState, WhatsAppWebhook } from './whatsapp-webhook.type.js';

export default chatWhatsAppPlugin;
