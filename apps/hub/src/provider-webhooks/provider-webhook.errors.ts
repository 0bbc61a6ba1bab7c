/** Why the hub itself answers a provider webhook, before any provider sees it. */
export enum ProviderWebhookRouteErrorCode {
  /** No routable admin install and no plugin configured at start goes by that name. */
  UnknownTarget = 'WEBHOOK_TARGET_NOT_FOUND',
  /** The plugin takes no webhooks (its provider has no webhook()). */
  NotSupported = 'WEBHOOK_NOT_SUPPORTED',
}
