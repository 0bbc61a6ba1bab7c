import type { ProviderWebhookRequest } from '@kabar/plugin-sdk';
import type { Request } from 'express';

/**
 * The SDK's view of an Express request on the webhook route. http-setup reads the body there as raw bytes, whatever
 * its content type, because providers' signatures are over those bytes.
 */
export function webhookRequestOf(method: ProviderWebhookRequest['method'], req: Request): ProviderWebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method,
    // The base is never used: originalUrl is a path with its query.
    query: new URL(req.originalUrl, 'http://hub.invalid').searchParams,
    headers,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}
