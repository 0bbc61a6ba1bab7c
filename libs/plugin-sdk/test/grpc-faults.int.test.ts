import { create, fromJson } from '@bufbuild/protobuf';
import { type handleUnaryCall, Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import {
  CHANNEL_PLUGIN_SERVICE,
  describeRemotePlugin,
  GrpcChannelProvider,
  type OutboundMessage,
  PluginError,
} from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { afterEach, describe, expect, it } from 'vitest';

// Real: grpc-js over loopback, against hand-written servers that misbehave in the ways a plugin in another language
// could: never answering, answering the wrong shape, failing with bare statuses.

interface RawHandlers {
  describe?: handleUnaryCall<pluginProto.DescribeRequest, pluginProto.DescribeResponse>;
  send?: handleUnaryCall<pluginProto.SendRequest, pluginProto.SendResponse>;
  check?: handleUnaryCall<pluginProto.CheckRequest, pluginProto.CheckResponse>;
}

const servers: Server[] = [];
const providers: GrpcChannelProvider[] = [];

async function rawPlugin(handlers: RawHandlers, timeoutMs = 10_000): Promise<{ address: string; provider: GrpcChannelProvider }> {
  const server = new Server();
  server.addService(CHANNEL_PLUGIN_SERVICE, { ...handlers });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
  servers.push(server);
  const address = `127.0.0.1:${port}`;
  const provider = new GrpcChannelProvider({ address, channel: 'sms', timeoutMs });
  providers.push(provider);
  return { address, provider };
}

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  for (const server of servers.splice(0)) server.forceShutdown();
});

const sent = (notificationId: string): pluginProto.SendOutcome =>
  create(pluginProto.SendOutcomeSchema, { notificationId, result: { case: 'sent', value: create(pluginProto.SendOutcome_SentSchema) } });

const batchOf = (size: number): OutboundMessage[] => Array.from({ length: size }, () => anOutboundMessage({ channel: 'sms' }));

async function rejectionOf(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginError);
  return error as PluginError;
}

describe('GrpcChannelProvider against a misbehaving plugin', () => {
  it('gives up on a plugin that never answers with a retryable TIMEOUT at the configured deadline', async () => {
    let calls = 0;
    const { address, provider } = await rawPlugin({ send: () => void (calls += 1) }, 300);
    const error = await rejectionOf(provider.send(batchOf(2)));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'TIMEOUT', retryable: true });
    expect(error.message).toContain(`Send to ${address} failed: DEADLINE_EXCEEDED`);
    expect(calls).toBe(1);
  });

  it.each([
    ['fewer outcomes than messages', (ids: string[]) => ids.slice(1).map(sent), '2 outcomes for 3 messages'],
    ['more outcomes than messages', (ids: string[]) => [...ids, 'extra'].map(sent), '4 outcomes for 3 messages'],
    ['no outcomes at all', () => [], '0 outcomes for 3 messages'],
    ['outcomes in another order', (ids: string[]) => [ids[1], ids[0], ids[2]].map((id) => sent(id ?? '')), 'outcome 0 is not for message 0'],
    ['an outcome for a message it was not sent', (ids: string[]) => [ids[0], 'n-unknown', ids[2]].map((id) => sent(id ?? '')), 'outcome 1 is not for message 1'],
    [
      'an outcome that is neither sent nor failed',
      (ids: string[]) => ids.map((id, i) => (i === 2 ? create(pluginProto.SendOutcomeSchema, { notificationId: id }) : sent(id))),
      'outcome 2 is neither sent nor failed',
    ],
  ])('fails the whole batch with a retryable PROVIDER_ERROR when the plugin answers %s', async (_case, answer, why) => {
    const { provider } = await rawPlugin({
      send: (call, callback) => callback(null, create(pluginProto.SendResponseSchema, { outcomes: answer(call.request.messages.map((m) => m.notificationId)) })),
    });
    const error = await rejectionOf(provider.send(batchOf(3)));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'PROVIDER_ERROR', retryable: true });
    expect(error.message).toContain(why);
  });

  it('fails the whole batch with PROVIDER_ERROR when the answer is not a SendResponse at all', async () => {
    const server = new Server();
    // Bytes that are no valid protobuf message (a field tag with wire type 7 does not exist).
    server.addService({ send: { ...CHANNEL_PLUGIN_SERVICE.send, responseSerialize: () => Buffer.from([0x0f, 0xff, 0xff]) } }, {
      send: (_call: unknown, callback: (error: null, value: object) => void) => callback(null, {}),
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
    servers.push(server);
    const provider = new GrpcChannelProvider({ address: `127.0.0.1:${port}`, channel: 'sms', timeoutMs: 10_000 });
    providers.push(provider);
    const error = await rejectionOf(provider.send(batchOf(1)));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'PROVIDER_ERROR', retryable: true });
  });

  it('recomputes retryable from the code, and reads an unspecified or unknown code as PROVIDER_ERROR', async () => {
    // From JSON, as the wire allows an enum number this SDK has no name for (a newer plugin's code).
    const failed = (notificationId: string, code: number, retryable: boolean): pluginProto.SendOutcome =>
      fromJson(pluginProto.SendOutcomeSchema, { notificationId, failed: { code, retryable, message: 'ESME_RINVDSTADR' } });
    const { provider } = await rawPlugin({
      send: (call, callback) => {
        const [a, b, c] = call.request.messages.map((m) => m.notificationId);
        callback(null, create(pluginProto.SendResponseSchema, {
          outcomes: [failed(a ?? '', pluginProto.ErrorCode.INVALID_RECIPIENT, true), failed(b ?? '', pluginProto.ErrorCode.UNSPECIFIED, false), failed(c ?? '', 99, false)],
        }));
      },
    });
    const outcomes = await provider.send(batchOf(3));
    expect(outcomes.map((o) => (o.status === 'failed' ? [o.error.code, o.error.retryable, o.error.message] : o.status))).toEqual([
      ['INVALID_RECIPIENT', false, 'ESME_RINVDSTADR'],
      ['PROVIDER_ERROR', true, 'ESME_RINVDSTADR'],
      ['PROVIDER_ERROR', true, 'ESME_RINVDSTADR'],
    ]);
  });

  it.each([
    [status.RESOURCE_EXHAUSTED, 'RATE_LIMITED', true],
    [status.UNAUTHENTICATED, 'UNAUTHORIZED', false],
    [status.INVALID_ARGUMENT, 'REJECTED', false],
    [status.UNAVAILABLE, 'CONNECTION_FAILED', true],
    [status.UNKNOWN, 'PROVIDER_ERROR', true],
  ])('maps a bare status %i (no kabar-error-code) to %s', async (code, expected, retryable) => {
    const { provider } = await rawPlugin({ send: (_call, callback) => callback({ code, details: 'quota for today used up' }) });
    const error = await rejectionOf(provider.send(batchOf(1)));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: expected, retryable });
    expect(error.message).toContain('quota for today used up');
  });

  it('prefers the kabar-error-code a plugin in another language states', async () => {
    const metadata = new Metadata();
    metadata.set('kabar-error-code', 'INVALID_RECIPIENT');
    const { provider } = await rawPlugin({ send: (_call, callback) => callback({ code: status.INVALID_ARGUMENT, details: 'unknown number', metadata }) });
    await expect(rejectionOf(provider.send(batchOf(1)))).resolves.toMatchObject({ code: 'INVALID_RECIPIENT', retryable: false });
  });

  it('treats a server without the ChannelPlugin service (UNIMPLEMENTED) as a retryable PROVIDER_ERROR', async () => {
    const { provider } = await rawPlugin({});
    const error = await rejectionOf(provider.send(batchOf(1)));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'PROVIDER_ERROR', retryable: true });
    expect(error.message).toContain('UNIMPLEMENTED');
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('UNIMPLEMENTED') as unknown });
  });

  it.each([
    ['an unknown channel', { pluginId: 'sms-x', channel: 42, version: '1.0.0', configSchemaJson: '{"type":"object"}' }, 'unknown channel 42'],
    ['no plugin id', { pluginId: '', channel: pluginProto.Channel.SMS, version: '1.0.0', configSchemaJson: '{"type":"object"}' }, 'no plugin id'],
    ['a config schema that is not JSON', { pluginId: 'sms-x', channel: pluginProto.Channel.SMS, version: '1.0.0', configSchemaJson: '{type: object' }, 'config_schema_json'],
    ['a config schema that is not an object schema', { pluginId: 'sms-x', channel: pluginProto.Channel.SMS, version: '1.0.0', configSchemaJson: '[]' }, 'config_schema_json'],
  ])('refuses a description with %s', async (_case, answer, why) => {
    const { address, provider } = await rawPlugin({ describe: (_call, callback) => callback(null, create(pluginProto.DescribeResponseSchema, answer)) });
    const error = await rejectionOf(describeRemotePlugin(address));
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toContain(why);
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining(why) as unknown });
  });
});
