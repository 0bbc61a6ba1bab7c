import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import type { MethodDefinition } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';

interface GeneratedMethod<I extends DescMessage, O extends DescMessage> {
  readonly name: string;
  readonly input: I;
  readonly output: O;
  readonly parent: { readonly typeName: string };
}

/** grpc-js wants Buffers; protobuf-es gives Uint8Arrays: wrap without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One unary method as grpc-js needs it: the wire path plus protobuf-es (de)serializers for the generated messages. */
function unary<I extends DescMessage, O extends DescMessage>(method: GeneratedMethod<I, O>): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return definition(method, false);
}

/** One server-streaming method (one request, a stream of answers) as grpc-js needs it. */
function serverStream<I extends DescMessage, O extends DescMessage>(method: GeneratedMethod<I, O>): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return definition(method, true);
}

/** One bidirectional method (a stream each way) as grpc-js needs it. */
function bidiStream<I extends DescMessage, O extends DescMessage>(method: GeneratedMethod<I, O>): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return definition(method, true, true);
}

function definition<I extends DescMessage, O extends DescMessage>(
  method: GeneratedMethod<I, O>,
  responseStream: boolean,
  requestStream = false,
): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    requestStream,
    responseStream,
    requestSerialize: (value) => asBuffer(toBinary(method.input, value)),
    requestDeserialize: (bytes) => fromBinary(method.input, bytes),
    responseSerialize: (value) => asBuffer(toBinary(method.output, value)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

const { method } = pluginProto.ChannelPlugin;

/**
 * `kabar.v1.ChannelPlugin` (proto/kabar/v1/plugin.proto) for grpc-js, from the generated descriptors, so the paths
 * (`/kabar.v1.ChannelPlugin/Send`, ...) and message types cannot drift from the .proto.
 */
export const CHANNEL_PLUGIN_SERVICE = {
  describe: unary(method.describe),
  send: unary(method.send),
  check: unary(method.check),
  events: serverStream(method.events),
  acknowledgedEvents: bidiStream(method.acknowledgedEvents),
  fetchMedia: unary(method.fetchMedia),
};

/** Bigger than grpc-js's 4 MiB default: a batch of rendered HTML e-mails can pass it. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
