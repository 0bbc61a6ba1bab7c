export { PROVIDER_WEBHOOK_ROUTE } from './provider-webhook.route.js';
export { ProviderWebhooksModule } from './provider-webhooks.module.js';
