import type { OutboundMessage } from './outbound-message.type.js';
import type { SendOutcome } from './send-outcome.type.js';

export interface ProviderCheck {
  readonly ok: boolean;
  /** One line for the operator console, e.g. "HTTP 405 from hooks.example.org in 38 ms" or the connection error. */
  readonly detail: string;
}

/** A configured connection to one peer, made by `PluginManifest.create`. */
export interface ChannelProvider {
  /**
   * Sends a batch and returns one outcome per message, in the batch's order. A message that fails on its own becomes a
   * `failed` outcome; only a failure of the whole batch may reject, with a `PluginError` whose `retryable` the hub obeys.
   */
  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]>;
  /** A real handshake with the peer where it allows one; never rejects: trouble is `ok: false` with the reason. */
  check(): Promise<ProviderCheck>;
  /** Releases connections; idempotent. The hub sends nothing after calling it. */
  close(): Promise<void>;
}
