import { describeError } from '@kabar/core';
import {
  type ChannelProvider,
  failedOutcome,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

import type { FcmClient, FcmResult } from './fcm.client.js';
import type { FcmDeadlineAgent } from './fcm-deadline.agent.js';
import { toPluginError } from './fcm-error.mapper.js';
import { type FcmMessage, fcmMessageFor } from './fcm-message.factory.js';

/** The most messages firebase-admin's sendEach takes at once. */
const FCM_MAX_BATCH = 500;

/** A token FCM never issues: check()'s dry run must be refused for it, which FCM does only after authorising us. */
export const PROBE_TOKEN = 'kabar-connection-check';

export interface PushFcmProviderOptions {
  readonly client: FcmClient;
  readonly agent: FcmDeadlineAgent;
  readonly projectId: string;
  /** For one sendEach (up to 500 messages, sent in parallel) or one check(). */
  readonly timeoutMs: number;
  /** FCM's validate_only: every message is checked by FCM, none is delivered. */
  readonly dryRun: boolean;
}

interface Pending {
  readonly index: number;
  readonly message: OutboundMessage;
  readonly fcm: FcmMessage;
}

/** Sends each message as one FCM v1 request (firebase-admin's sendEach); FCM's answer decides each outcome. */
export class PushFcmProvider implements ChannelProvider {
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PushFcmProviderOptions) {}

  async send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    const outcomes = new Array<SendOutcome>(batch.length);
    const pending: Pending[] = [];
    batch.forEach((message, index) => {
      const fcm = fcmMessageFor(message);
      if (fcm instanceof PluginError) outcomes[index] = failedOutcome(message, fcm);
      else pending.push({ index, message, fcm });
    });
    for (let start = 0; start < pending.length; start += FCM_MAX_BATCH) {
      const chunk = pending.slice(start, start + FCM_MAX_BATCH);
      const { agent, client, timeoutMs, dryRun } = this.options;
      // Never rejects: a failure of the whole chunk (refused connection, bad credentials) is in every message's result.
      const results = await agent.within(timeoutMs, () => client.sendEach(chunk.map((p) => p.fcm), dryRun));
      chunk.forEach((p, i) => (outcomes[p.index] = outcomeOf(p.message, results[i])));
    }
    return outcomes;
  }

  async check(): Promise<ProviderCheck> {
    const { agent, client, projectId, timeoutMs } = this.options;
    const startedAt = Date.now();
    try {
      const probe: FcmMessage = {
        token: PROBE_TOKEN,
        notification: { body: 'Kabar connection check' },
        data: {},
        android: { priority: 'normal', notification: { tag: 'kabar-check' } },
        apns: { headers: {} },
      };
      // Always a dry run: nothing may reach a device, whatever FCM makes of the token.
      const result = await agent.within(timeoutMs, () => client.send(probe, true));
      const elapsed = Date.now() - startedAt;
      if (result.ok) return { ok: true, detail: `FCM project ${projectId} accepted a dry-run message in ${elapsed} ms` };
      const error = toPluginError(result.failure);
      // FCM authenticates and authorises before it looks at the token, so refusing the made-up token proves both.
      if (error.code === PluginErrorCode.InvalidRecipient) {
        return { ok: true, detail: `FCM project ${projectId} accepted the credentials and refused the probe token, as expected, in ${elapsed} ms` };
      }
      return { ok: false, detail: error.message };
    } catch (error) {
      return { ok: false, detail: describeError(error) };
    }
  }

  close(): Promise<void> {
    this.closing ??= this.options.client.close().finally(() => this.options.agent.destroy());
    return this.closing;
  }
}

function outcomeOf(message: OutboundMessage, result: FcmResult | undefined): SendOutcome {
  if (result === undefined) return failedOutcome(message, new PluginError(PluginErrorCode.ProviderError, 'firebase-admin returned no result for the message'));
  return result.ok ? sentOutcome(message, result.messageId) : failedOutcome(message, toPluginError(result.failure, message.to));
}
