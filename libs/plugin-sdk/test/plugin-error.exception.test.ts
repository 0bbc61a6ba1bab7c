import { failedOutcome, PLUGIN_ERROR_RETRYABLE, PluginError, PluginErrorCode, sentOutcome } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

describe('PluginError', () => {
  it.each(Object.values(PluginErrorCode))('%s takes its retryable flag from the table', (code) => {
    expect(new PluginError(code, 'x').retryable).toBe(PLUGIN_ERROR_RETRYABLE[code]);
  });

  it('treats transport trouble as passing and refusals as permanent', () => {
    const retryable = Object.values(PluginErrorCode).filter((code) => PLUGIN_ERROR_RETRYABLE[code]);
    expect(retryable.sort()).toEqual(['CONNECTION_FAILED', 'PROVIDER_ERROR', 'RATE_LIMITED', 'TIMEOUT']);
  });
});

describe('send outcomes', () => {
  it('carry a failed message\'s code, retryability and reason', () => {
    const error = new PluginError(PluginErrorCode.RateLimited, 'HTTP 429 from hooks.example.org');
    expect(failedOutcome({ notificationId: 'n1' }, error)).toEqual({
      notificationId: 'n1',
      status: 'failed',
      error: { code: 'RATE_LIMITED', retryable: true, message: 'HTTP 429 from hooks.example.org' },
    });
  });

  it('omit an absent provider message id', () => {
    expect(sentOutcome({ notificationId: 'n1' })).toStrictEqual({ notificationId: 'n1', status: 'sent' });
    expect(sentOutcome({ notificationId: 'n1' }, 'p-9')).toEqual({ notificationId: 'n1', status: 'sent', providerMessageId: 'p-9' });
  });
});
