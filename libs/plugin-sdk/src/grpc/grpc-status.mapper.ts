import { Metadata, status } from '@grpc/grpc-js';

import { PluginError } from '../plugin-error.exception.js';
import { PluginErrorCode } from '../plugin-error-code.enum.js';

/** Trailing metadata entry in which a plugin states the exact `PluginErrorCode` of a failed call (see plugin.proto). */
export const ERROR_CODE_METADATA_KEY = 'kabar-error-code';

/** What a gRPC call failed with, as grpc-js reports it (a `ServiceError` or a server's error response). */
export interface GrpcStatus {
  readonly code: status;
  readonly details: string;
  readonly metadata?: Metadata | undefined;
}

const PLUGIN_ERROR_CODES = new Map<string, PluginErrorCode>(Object.values(PluginErrorCode).map((code) => [code, code]));

/**
 * The code the hub acts on for a gRPC status when the plugin did not state one: transport trouble stays retryable,
 * refusals stay permanent, and anything unexpected is the plugin's fault (retryable PROVIDER_ERROR).
 * @example pluginErrorCodeForStatus(status.UNAVAILABLE) // PluginErrorCode.ConnectionFailed
 */
export function pluginErrorCodeForStatus(code: status): PluginErrorCode {
  switch (code) {
    case status.UNAVAILABLE:
      return PluginErrorCode.ConnectionFailed;
    case status.DEADLINE_EXCEEDED:
      return PluginErrorCode.Timeout;
    case status.RESOURCE_EXHAUSTED:
      return PluginErrorCode.RateLimited;
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return PluginErrorCode.Unauthorized;
    case status.INVALID_ARGUMENT:
      return PluginErrorCode.Rejected;
    // gRPC's own rule for FAILED_PRECONDITION is "do not retry until the system is fixed": a misconfigured plugin.
    case status.FAILED_PRECONDITION:
      return PluginErrorCode.InvalidConfig;
    default:
      return PluginErrorCode.ProviderError;
  }
}

/** The status a plugin answers for a `PluginError` of a whole batch; the exact code travels in the metadata. */
const STATUS_FOR_CODE: Readonly<Record<PluginErrorCode, status>> = {
  [PluginErrorCode.Timeout]: status.DEADLINE_EXCEEDED,
  [PluginErrorCode.ConnectionFailed]: status.UNAVAILABLE,
  [PluginErrorCode.RateLimited]: status.RESOURCE_EXHAUSTED,
  [PluginErrorCode.ProviderError]: status.INTERNAL,
  [PluginErrorCode.Rejected]: status.INVALID_ARGUMENT,
  [PluginErrorCode.InvalidRecipient]: status.INVALID_ARGUMENT,
  [PluginErrorCode.Unauthorized]: status.UNAUTHENTICATED,
  [PluginErrorCode.InvalidConfig]: status.FAILED_PRECONDITION,
};

/**
 * A failed call as a `PluginError`: the code the plugin stated in `kabar-error-code`, else the status code's mapping.
 * @example pluginErrorFromStatus(serviceError, 'Send to 127.0.0.1:50051')
 */
export function pluginErrorFromStatus(failure: GrpcStatus, where: string): PluginError {
  const stated = failure.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  const code = (typeof stated === 'string' ? PLUGIN_ERROR_CODES.get(stated) : undefined) ?? pluginErrorCodeForStatus(failure.code);
  const name = status[failure.code] as string | undefined;
  return new PluginError(code, `${where} failed: ${name ?? `status ${failure.code}`}: ${failure.details}`, { grpcStatus: failure.code });
}

/**
 * The gRPC status a plugin answers when a whole batch fails with a `PluginError`, stating its exact code.
 * @example callback(grpcStatusFor(new PluginError(PluginErrorCode.RateLimited, 'HTTP 429 from api.example.org')))
 */
export function grpcStatusFor(error: PluginError): Required<GrpcStatus> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  return { code: STATUS_FOR_CODE[error.code], details: error.message, metadata };
}
