import { safeEqual } from '@kabar/core';

// Meta sends a number; anything else is not reflected back, so the endpoint cannot be made to echo markup.
const CHALLENGE = /^[A-Za-z0-9_-]{1,256}$/;

export type SubscriptionRejection = 'not-a-subscription' | 'wrong-verify-token' | 'bad-challenge';

/** What to answer Meta's GET: 200 with `challenge` as the plain-text body, or 403. */
export type SubscriptionAnswer = { readonly accepted: true; readonly challenge: string } | { readonly accepted: false; readonly reason: SubscriptionRejection };

/** The GET's query string: `URLSearchParams`, or a parsed query object such as Express's `request.query`. */
export type SubscriptionQuery = URLSearchParams | Readonly<Record<string, unknown>>;

/**
 * Answers the webhook subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`): the
 * challenge when the mode is `subscribe` and the token matches (compared in constant time), else a refusal. An empty
 * verify token accepts nothing.
 * @example verifySubscription(new URL(request.url, 'https://kabar.example').searchParams, config.verifyToken) // { accepted: true, challenge: '1158201444' }
 */
export function verifySubscription(query: SubscriptionQuery, verifyToken: string): SubscriptionAnswer {
  const read = (name: string): string | undefined => {
    const value = query instanceof URLSearchParams ? query.get(name) : query[name];
    return typeof value === 'string' ? value : undefined;
  };
  if (read('hub.mode') !== 'subscribe') return { accepted: false, reason: 'not-a-subscription' };
  const token = read('hub.verify_token');
  if (verifyToken === '' || token === undefined || !safeEqual(token, verifyToken)) return { accepted: false, reason: 'wrong-verify-token' };
  const challenge = read('hub.challenge');
  if (challenge === undefined || !CHALLENGE.test(challenge)) return { accepted: false, reason: 'bad-challenge' };
  return { accepted: true, challenge };
}
