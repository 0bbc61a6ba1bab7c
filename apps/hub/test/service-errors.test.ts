import type { Logger } from '@kabar/core';
import { describe, expect, it } from 'vitest';

import { ServiceErrorCode, ServiceErrors } from '../src/errors/service-error.js';

describe('ServiceErrors', () => {
  const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('names an unreachable database DATABASE_UNAVAILABLE with a time to retry, and leaves other errors unexpected', () => {
    const errors = new ServiceErrors({ debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
    expect(errors.classify(refused())).toMatchObject({ code: ServiceErrorCode.DatabaseUnavailable, details: { retryAfterSeconds: 5 } });
    expect(errors.classify(new TypeError('x is undefined'))).toBeUndefined();
  });

  it('logs an outage once per ten seconds, with how many requests it refused meanwhile', () => {
    const warnings: Readonly<Record<string, unknown>>[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (fields) => void warnings.push(fields), error: () => undefined };
    let now = 1_000_000;
    const errors = new ServiceErrors(logger, () => now);
    for (let i = 0; i < 50; i++) {
      errors.classify(refused());
      now += 300; // 50 requests over 15 s
    }
    expect(warnings.map((w) => w.refused)).toEqual([1, 34]);
    expect(JSON.stringify(warnings)).toContain('ECONNREFUSED');
  });
});
