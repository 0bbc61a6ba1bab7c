import type { PluginErrorCode } from './plugin-error-code.enum.js';

export type SendOutcome =
  | { readonly notificationId: string; readonly status: 'sent'; readonly providerMessageId?: string }
  | {
      readonly notificationId: string;
      readonly status: 'failed';
      readonly error: { readonly code: PluginErrorCode; readonly retryable: boolean; readonly message: string };
    };
