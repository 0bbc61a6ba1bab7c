import 'reflect-metadata';

import { AgencyService } from '@kabar/hub';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { as } from './support/agency-fixture.js';
import { startEmbeddedHub } from './support/embedded-hub.js';

const CREATE = 'mutation($input: CreateAgencyInput!) { createAgency(input: $input) { code senderIds { sms email } ratePerMinute dailyQuota } }';

// createAgency at the GraphQL edge, as the admin console sends it: optional fields may come as null.
describe('createAgency over GraphQL (embedded)', () => {
  let app: INestApplication;
  let url: string;
  let admin: string;

  beforeAll(async () => {
    ({ app, url } = await startEmbeddedHub());
    admin = await app.get(AgencyService).createAdmin('agency test admin', { kind: 'system', id: 'test' });
  });

  afterAll(async () => {
    await app.close();
  });

  it('reads optional fields sent as null as not given: the defaults apply', async () => {
    const res = await as(url, admin, CREATE, {
      input: { code: 'dinkes-bdg', name: 'Dinas Kesehatan', sources: ['/id/go/bandung/dinkes'], senderIds: { sms: null, email: null }, ratePerMinute: null, dailyQuota: null },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ createAgency: { code: 'dinkes-bdg', senderIds: { sms: null, email: null }, ratePerMinute: 3000, dailyQuota: 250_000 } });
  });

  it('lists every problem of a bad agency at once, with AGENCY_INVALID_INPUT', async () => {
    const res = await as(url, admin, CREATE, {
      input: { code: 'Bad Code', name: 'x', sources: ['has space'], senderIds: { sms: 'MUCH-TOO-LONG-ID', email: 'nobody' }, ratePerMinute: 0, dailyQuota: -1 },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('AGENCY_INVALID_INPUT');
    expect(res.errors?.[0]?.message).toBe(
      'code must be 2-64 lowercase letters, digits or dashes; source "has space" must be a URI reference without spaces; SMS sender ID must be 1-11 letters, digits, spaces, dots or dashes; e-mail sender must contain an address; ratePerMinute must be a positive integer; dailyQuota must be a positive integer',
    );
  });
});
