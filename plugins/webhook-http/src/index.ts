import { webhookHttpPlugin } from './webhook-http.plugin.js';

export { type WebhookHttpConfig, webhookHttpPlugin } from './webhook-http.plugin.js';
export type { WebhookPayload } from './webhook-http.provider.js';

export default webhookHttpPlugin;
