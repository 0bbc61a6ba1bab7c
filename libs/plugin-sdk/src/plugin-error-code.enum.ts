/** Why a send (or a plugin's configuration) failed, in terms the hub can act on without knowing the vendor. */
export enum PluginErrorCode {
  Timeout = 'TIMEOUT',
  ConnectionFailed = 'CONNECTION_FAILED',
  RateLimited = 'RATE_LIMITED',
  ProviderError = 'PROVIDER_ERROR',
  Rejected = 'REJECTED',
  InvalidRecipient = 'INVALID_RECIPIENT',
  Unauthorized = 'UNAUTHORIZED',
  InvalidConfig = 'INVALID_CONFIG',
}

/**
 * Whether trying the same message again later can succeed. Transport trouble and peer overload can pass; a refusal,
 * a bad address or bad credentials/configuration will fail the same way until a person changes something.
 */
export const PLUGIN_ERROR_RETRYABLE: Readonly<Record<PluginErrorCode, boolean>> = {
  [PluginErrorCode.Timeout]: true,
  [PluginErrorCode.ConnectionFailed]: true,
  [PluginErrorCode.RateLimited]: true,
  [PluginErrorCode.ProviderError]: true,
  [PluginErrorCode.Rejected]: false,
  [PluginErrorCode.InvalidRecipient]: false,
  [PluginErrorCode.Unauthorized]: false,
  [PluginErrorCode.InvalidConfig]: false,
};
