import { generateWebhookSecret, signWebhook, verifyWebhook } from '@kabar/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

// The official reference library is the judge: a receiver using any Standard Webhooks SDK must accept what we sign.
const now = (): number => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: 'tax.due', data: { amount: 120, note: 'héllo ✓' } });

describe('signWebhook', () => {
  it('produces headers the standardwebhooks library verifies', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_1', timestamp: now(), body, secret });
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('matches the specification example byte for byte', () => {
    const headers = signWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(headers['webhook-signature']).toBe(
      new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330_000), '{"test": 2432232314}'),
    );
  });

  it('signs raw bytes the same as the equivalent string', () => {
    const secret = generateWebhookSecret();
    const input = { id: 'msg_2', timestamp: now(), secret };
    expect(signWebhook({ ...input, body: Buffer.from(body, 'utf8') })).toEqual(signWebhook({ ...input, body }));
  });

  it('is rejected by standardwebhooks when the body was tampered with', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_3', timestamp: now(), body, secret });
    expect(() => new Webhook(secret).verify(body.replace('120', '1200'), headers)).toThrow('No matching signature found');
  });

  it('is rejected by standardwebhooks when the timestamp is older than its tolerance', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_4', timestamp: now() - 600, body, secret });
    expect(() => new Webhook(secret).verify(body, headers)).toThrow('Message timestamp too old');
  });

  it('refuses a secret that is not whsec_<base64>', () => {
    expect(() => signWebhook({ id: 'msg_5', timestamp: now(), body, secret: 'whsec_not base64!' })).toThrow(TypeError);
  });
});

describe('generateWebhookSecret', () => {
  it('returns a fresh whsec_ secret of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('verifyWebhook', () => {
  const secret = generateWebhookSecret();

  it('accepts a signature made by standardwebhooks, whatever the header case', () => {
    const timestamp = now();
    const signature = new Webhook(secret).sign('msg_6', new Date(timestamp * 1000), body);
    const headers = { 'Webhook-Id': 'msg_6', 'Webhook-Timestamp': String(timestamp), 'Webhook-Signature': signature };
    expect(verifyWebhook({ body, headers, secret })).toEqual({ valid: true });
  });

  it('accepts any one matching signature, as during a secret rotation', () => {
    const headers = signWebhook({ id: 'msg_7', timestamp: now(), body, secret });
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} v2,ignored ${headers['webhook-signature']}` };
    expect(verifyWebhook({ body, headers: rotated, secret })).toEqual({ valid: true });
  });

  // The clock is pinned: a table evaluated at collection time must not race the test's own clock on a loaded machine.
  const signedAt = 1_700_000_000;
  it.each([
    ['a tampered body', { body: `${body} `, now: signedAt }, 'no-matching-signature'],
    ['another secret', { secret: generateWebhookSecret(), now: signedAt }, 'no-matching-signature'],
    ['an old timestamp', { now: signedAt + 301 }, 'timestamp-out-of-tolerance'],
    ['a timestamp from the future', { now: signedAt - 301 }, 'timestamp-out-of-tolerance'],
  ])('rejects %s', (_, change, reason) => {
    const headers = signWebhook({ id: 'msg_8', timestamp: signedAt, body, secret });
    expect(verifyWebhook({ body, headers, secret, ...change })).toEqual({ valid: false, reason });
  });

  it('accepts a timestamp exactly at the edge of the tolerance', () => {
    const headers = signWebhook({ id: 'msg_8', timestamp: signedAt, body, secret });
    expect(verifyWebhook({ body, headers, secret, now: signedAt + 300 })).toEqual({ valid: true });
    expect(verifyWebhook({ body, headers, secret, now: signedAt - 300 })).toEqual({ valid: true });
  });

  it('honours a custom tolerance', () => {
    const headers = signWebhook({ id: 'msg_9', timestamp: now() - 20, body, secret });
    expect(verifyWebhook({ body, headers, secret, toleranceSeconds: 10 })).toEqual({ valid: false, reason: 'timestamp-out-of-tolerance' });
    expect(verifyWebhook({ body, headers, secret, toleranceSeconds: 30 })).toEqual({ valid: true });
  });

  it('rejects a request without the headers', () => {
    const signed = signWebhook({ id: 'msg_10', timestamp: now(), body, secret });
    const unsigned = { 'webhook-id': signed['webhook-id'], 'webhook-timestamp': signed['webhook-timestamp'] };
    expect(verifyWebhook({ body, headers: unsigned, secret })).toEqual({ valid: false, reason: 'missing-headers' });
    expect(verifyWebhook({ body, headers: { ...signed, 'webhook-timestamp': 'yesterday' }, secret })).toEqual({ valid: false, reason: 'missing-headers' });
  });
});
