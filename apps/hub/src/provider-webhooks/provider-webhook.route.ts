/**
 * Where providers' peers are pointed (e.g. Meta's callback URL); `:name` is an install's name or id, or the id of a
 * plugin configured at start.
 */
export const PROVIDER_WEBHOOK_ROUTE = 'v1/plugins/:name/webhook';
