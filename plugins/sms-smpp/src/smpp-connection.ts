import { backoffDelay, type BackoffPolicy, type Logger } from '@kabar/core';
import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

import { type SmppSession, type SmppSessionEvents, type SmppSessionOptions } from './smpp-session.client.js';

/** Redial pacing after a failed connect or bind: quick at first, then no more than one attempt per 30 s. */
const REDIAL_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

export type SessionOpener = (options: SmppSessionOptions, events: SmppSessionEvents) => Promise<SmppSession>;

/**
 * The long-lived bound session sends share. By default it is opened lazily by the first send after a loss, not in
 * the background: an idle hub holds no connection it does not need. With `stayBound` (an install serving a short code
 * citizens write to) it is bound from the start and redialled after every loss, so their messages arrive when nothing
 * is being sent. After a failed attempt, sends within the backoff delay fail at once with that attempt's error
 * instead of hammering the SMSC.
 */
export class SmppConnection {
  private session: SmppSession | undefined;
  private opening: Promise<SmppSession> | undefined;
  private failures = 0;
  private lastFailure: { readonly error: PluginError; readonly retryAt: number } | undefined;
  private closed = false;
  private redial: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: SessionOpener,
    private readonly options: SmppSessionOptions,
    private readonly onDeliverSm: SmppSessionEvents['onDeliverSm'],
    private readonly logger: Logger,
    private readonly stayBound = false,
  ) {
    if (stayBound) this.redialIn(0);
  }

  /** The bound session, dialling and binding first when there is none; rejects with a `PluginError`. */
  acquire(): Promise<SmppSession> {
    if (this.session?.isOpen === true) return Promise.resolve(this.session);
    this.opening ??= this.dial().finally(() => (this.opening = undefined));
    return this.opening;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.redial);
    await this.opening?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    await session?.unbind();
  }

  /** Binds in the background after `delayMs`, and again after each failed attempt's backoff, until bound or closed. */
  private redialIn(delayMs: number): void {
    if (this.closed || this.redial !== undefined) return;
    this.redial = setTimeout(() => {
      this.redial = undefined;
      this.acquire().catch(() => this.redialIn(Math.max(0, (this.lastFailure?.retryAt ?? Date.now()) - Date.now())));
    }, delayMs);
    // A pending redial must not keep a closing process alive.
    this.redial.unref();
  }

  /** A method, not the field, so the check after an await is not narrowed away by the one before it. */
  private isClosed(): boolean {
    return this.closed;
  }

  private async dial(): Promise<SmppSession> {
    const where = `${this.options.host}:${this.options.port}`;
    if (this.closed) throw new PluginError(PluginErrorCode.ConnectionFailed, `the SMPP connection to ${where} is closed`);
    const waitMs = (this.lastFailure?.retryAt ?? 0) - Date.now();
    if (this.lastFailure !== undefined && waitMs > 0) {
      const { error } = this.lastFailure;
      throw new PluginError(error.code, `${error.message} (next attempt in ${waitMs} ms)`, error.details);
    }
    let session: SmppSession;
    try {
      session = await this.open(this.options, {
        onDeliverSm: this.onDeliverSm,
        onLost: (reason) => {
          this.logger.warn({ plugin: 'sms-smpp', smsc: where, reason }, this.stayBound ? 'SMPP session lost; redialling' : 'SMPP session lost; the next send redials');
          if (this.stayBound) this.redialIn(0);
        },
      });
    } catch (error) {
      if (!(error instanceof PluginError)) throw error;
      this.failures++;
      this.lastFailure = { error, retryAt: Date.now() + backoffDelay(REDIAL_BACKOFF, this.failures) };
      this.logger.warn({ plugin: 'sms-smpp', smsc: where, code: error.code, attempt: this.failures }, 'SMPP bind failed');
      throw error;
    }
    this.failures = 0;
    this.lastFailure = undefined;
    if (this.isClosed()) {
      // close() ran while we were binding: leave the SMSC politely instead of keeping a session nobody will use.
      await session.unbind();
      throw new PluginError(PluginErrorCode.ConnectionFailed, `the SMPP connection to ${where} is closed`);
    }
    this.session = session;
    this.logger.info({ plugin: 'sms-smpp', smsc: where }, 'SMPP transceiver bound');
    return session;
  }
}
