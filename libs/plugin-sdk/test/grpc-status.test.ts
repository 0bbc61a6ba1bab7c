import { Metadata, status } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import {
  CHANNEL_PLUGIN_SERVICE,
  CHANNELS,
  ERROR_CODE_METADATA_KEY,
  grpcStatusFor,
  PLUGIN_ERROR_RETRYABLE,
  PluginError,
  PluginErrorCode,
  pluginErrorCodeForStatus,
  pluginErrorFromStatus,
} from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

describe('gRPC status -> PluginError', () => {
  it.each([
    [status.UNAVAILABLE, 'CONNECTION_FAILED', true],
    [status.DEADLINE_EXCEEDED, 'TIMEOUT', true],
    [status.RESOURCE_EXHAUSTED, 'RATE_LIMITED', true],
    [status.UNAUTHENTICATED, 'UNAUTHORIZED', false],
    [status.PERMISSION_DENIED, 'UNAUTHORIZED', false],
    [status.INVALID_ARGUMENT, 'REJECTED', false],
    [status.INTERNAL, 'PROVIDER_ERROR', true],
    [status.UNKNOWN, 'PROVIDER_ERROR', true],
    [status.UNIMPLEMENTED, 'PROVIDER_ERROR', true],
    [status.CANCELLED, 'PROVIDER_ERROR', true],
    [status.FAILED_PRECONDITION, 'INVALID_CONFIG', false],
    [status.DATA_LOSS, 'PROVIDER_ERROR', true],
  ])('maps status %i to %s (retryable: %s)', (code, expected, retryable) => {
    expect(pluginErrorCodeForStatus(code)).toBe(expected);
    const error = pluginErrorFromStatus({ code, details: 'upstream said no' }, 'Send to 127.0.0.1:50051');
    expect(error).toBeInstanceOf(PluginError);
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: expected, retryable });
    expect(error.message).toBe(`Send to 127.0.0.1:50051 failed: ${status[code]}: upstream said no`);
  });

  it('takes the exact code a plugin states in the kabar-error-code trailer over the status mapping', () => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, 'INVALID_RECIPIENT');
    const error = pluginErrorFromStatus({ code: status.INVALID_ARGUMENT, details: 'no such number', metadata }, 'Send to plugin:50051');
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'INVALID_RECIPIENT', retryable: false });
  });

  it('ignores a stated code it does not know and falls back to the status mapping', () => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, 'OUT_OF_COFFEE');
    expect(pluginErrorFromStatus({ code: status.RESOURCE_EXHAUSTED, details: '', metadata }, 'Send').code).toBe('RATE_LIMITED');
  });
});

describe('PluginError -> gRPC status', () => {
  it.each(Object.values(PluginErrorCode))('%s survives the round trip through a status and its trailer', (code) => {
    const answered = grpcStatusFor(new PluginError(code, 'HTTP 503 from api.example.org'));
    expect(answered.metadata.get(ERROR_CODE_METADATA_KEY)).toEqual([code]);
    expect(answered.details).toBe('HTTP 503 from api.example.org');
    const back = pluginErrorFromStatus(answered, 'Send');
    expect({ code: back.code, retryable: back.retryable }).toEqual({ code, retryable: PLUGIN_ERROR_RETRYABLE[code] });
  });

  it.each(Object.values(PluginErrorCode))('%s gets a status that alone already maps to the same retryability', (code) => {
    // A hub that ignored the trailer would still retry exactly what it should.
    const { code: grpcCode } = grpcStatusFor(new PluginError(code, 'x'));
    expect(PLUGIN_ERROR_RETRYABLE[pluginErrorCodeForStatus(grpcCode)]).toBe(PLUGIN_ERROR_RETRYABLE[code]);
  });
});

describe('plugin.proto mirrors the SDK', () => {
  it('has an ErrorCode for every PluginErrorCode and nothing else but UNSPECIFIED', () => {
    const names = Object.keys(pluginProto.ErrorCode).filter((key) => Number.isNaN(Number(key)));
    expect(names.sort()).toEqual(['UNSPECIFIED', ...Object.values(PluginErrorCode)].sort());
  });

  it('has a Channel for every SDK channel and nothing else but UNSPECIFIED', () => {
    const names = Object.keys(pluginProto.Channel).filter((key) => Number.isNaN(Number(key)));
    expect(names.sort()).toEqual(['UNSPECIFIED', ...CHANNELS.map((c) => c.toUpperCase())].sort());
  });

  it('serves the methods at the paths plugins in other languages implement, Events as a server stream, AcknowledgedEvents both ways, FetchMedia unary', () => {
    expect(Object.values(CHANNEL_PLUGIN_SERVICE).map((m) => [m.path, m.requestStream, m.responseStream])).toEqual([
      ['/kabar.v1.ChannelPlugin/Describe', false, false],
      ['/kabar.v1.ChannelPlugin/Send', false, false],
      ['/kabar.v1.ChannelPlugin/Check', false, false],
      ['/kabar.v1.ChannelPlugin/Events', false, true],
      ['/kabar.v1.ChannelPlugin/AcknowledgedEvents', true, true],
      ['/kabar.v1.ChannelPlugin/FetchMedia', false, false],
    ]);
  });
});
