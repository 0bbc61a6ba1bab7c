// The only file that imports nodemailer: the rest of the plugin speaks in OutgoingMail and PluginError.
import nodemailer, { type NodemailerError, type SMTPPoolOptions, type Transporter } from 'nodemailer';

import type { EmailSmtpConfig } from './email-smtp.plugin.js';
import { type SmtpFailure, toPluginError } from './smtp-error.mapper.js';

/** One message as it goes on the wire; every header value is already decided by the provider. */
export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject?: string;
  readonly text: string;
  readonly html?: string;
  /** With angle brackets, e.g. `<abc%3A1@example.go.id>`. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A pool of SMTP connections to one relay; failures come out as `PluginError`s that name no recipient. */
export class SmtpTransport {
  readonly peer: string;
  private readonly transporter: Transporter;

  constructor(config: EmailSmtpConfig) {
    this.peer = `${config.host}:${config.port}`;
    this.transporter = nodemailer.createTransport(transportOptions(config));
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transporter.sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.subject === undefined ? {} : { subject: mail.subject }),
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
        messageId: mail.messageId,
        headers: { ...mail.headers },
      });
    } catch (error) {
      throw toPluginError(asFailure(error), this.peer);
    }
  }

  /** Connects, greets, upgrades to TLS and authenticates on a connection of its own, then quits. */
  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (error) {
      throw toPluginError(asFailure(error), this.peer);
    }
  }

  close(): void {
    this.transporter.close();
  }
}

function transportOptions(config: EmailSmtpConfig): SMTPPoolOptions & { pool: true } {
  return {
    pool: true,
    maxConnections: config.pool.maxConnections,
    maxMessages: config.pool.maxMessages,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: !config.secure && config.starttls === 'required',
    ignoreTLS: !config.secure && config.starttls === 'disabled',
    opportunisticTLS: config.starttls === 'opportunistic',
    tls: {
      rejectUnauthorized: config.rejectUnauthorized,
      minVersion: 'TLSv1.2',
      // A private CA replaces the public roots, so only the agency's PKI is trusted for this relay.
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    },
    ...(config.auth === undefined ? {} : { auth: { user: config.auth.user, pass: config.auth.pass } }),
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.greetingTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
    // Nodemailer's own logging would write addresses and SMTP dialogue; our errors carry what operators need.
    logger: false,
    debug: false,
    // Messages carry only text and html from the hub; nothing may make nodemailer read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function asFailure(error: unknown): SmtpFailure {
  if (!(error instanceof Error)) return { message: String(error) };
  const failure = error as NodemailerError;
  return {
    message: failure.message,
    ...(failure.code === undefined ? {} : { code: failure.code }),
    ...(failure.originalCode === undefined ? {} : { originalCode: failure.originalCode }),
    ...(failure.responseCode === undefined ? {} : { responseCode: failure.responseCode }),
    ...(failure.response === undefined ? {} : { response: failure.response }),
    ...(failure.command === undefined ? {} : { command: failure.command }),
    ...(failure.timeoutType === undefined ? {} : { timeoutType: failure.timeoutType }),
  };
}
