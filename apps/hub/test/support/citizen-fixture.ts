import { randomUUID } from 'node:crypto';

import { graphql, type GraphqlResponse } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { INestApplication } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A row of `importCitizens`, as an agency register would send it. */
export interface CitizenRow {
  readonly nationalId: string;
  readonly name: string;
  readonly regionCode: string;
  readonly timezone: string;
  readonly language: string;
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly fcmToken?: string | null;
  readonly whatsapp?: string | null;
}

let serial = 0;

/** A fresh, valid national ID (province 32, Jawa Barat) for each call, so tests never share citizens. */
export function aNationalId(): string {
  serial += 1;
  return `32730145078${String(serial).padStart(5, '0')}`;
}

class CitizenRowBuilder {
  constructor(private row: CitizenRow) {}

  with(overrides: Partial<CitizenRow>): CitizenRowBuilder {
    return new CitizenRowBuilder({ ...this.row, ...overrides });
  }

  withEmail(email: string): CitizenRowBuilder {
    return this.with({ email });
  }

  withPhone(phone: string): CitizenRowBuilder {
    return this.with({ phone });
  }

  inEnglish(): CitizenRowBuilder {
    return this.with({ language: 'en' });
  }

  build(): CitizenRow {
    return this.row;
  }
}

/**
 * A valid import row: an Indonesian-speaking citizen in Kota Bandung with an e-mail address derived from the NIK.
 * @example aCitizenRow().inEnglish().withPhone('0812-3456-7890').build()
 */
export function aCitizenRow(nationalId = aNationalId()): CitizenRowBuilder {
  return new CitizenRowBuilder({ nationalId, name: 'Siti Rahmawati', regionCode: '32.73.01.1001', timezone: 'WIB', language: 'id', email: `warga${nationalId.slice(-5)}@example.com` });
}

export interface ReceivedMail {
  /** The SMTP envelope recipient: exactly where the plugin sent it. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** A real SMTP server on a free port; the email-smtp plugin delivers to it, and tests read what arrived. */
export class SmtpInbox {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    readonly mails: readonly ReceivedMail[],
  ) {}

  static async start(): Promise<SmtpInbox> {
    const mails: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, session, callback) => {
        // The reply (250) waits for the parse, so when the plugin's send resolves the mail is already listed here.
        simpleParser(stream).then(
          (mail) => {
            const rcpt = session.envelope.rcptTo[0]?.address ?? '';
            mails.push({ to: rcpt, subject: mail.subject ?? '', text: (mail.text ?? '').trim() });
            callback();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as { port: number };
    return new SmtpInbox(server, port, mails);
  }

  /** The configuration of the email-smtp plugin that sends here. */
  get pluginConfig(): Record<string, unknown> {
    return { 'email-smtp': { host: '127.0.0.1', port: this.port, from: 'Kabar <noreply@kabar.example>', starttls: 'disabled' } };
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to === address);
  }

  /** The six-digit code of the last mail to the address; fails when none came. */
  lastCode(address: string): string {
    const text = this.to(address).at(-1)?.text ?? '';
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    if (code === undefined) throw new Error(`no code was mailed to ${address}`);
    return code;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export type Call = <Data>(query: string, variables?: Record<string, unknown>) => Promise<GraphqlResponse<Data>>;

/** A GraphQL caller with a fixed bearer token (or none). */
export function caller(url: string, token: string | null): Call {
  return (query, variables = {}) => graphql(url, query, variables, token === null ? {} : { authorization: `Bearer ${token}` });
}

export const IMPORT = `mutation($rows: [CitizenImportInput!]!, $dryRun: Boolean!) {
  importCitizens(rows: $rows, dryRun: $dryRun) { created updated errors { index field message } }
}`;

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly errors: { index: number; field: string; message: string }[];
}

/** Imports rows as an admin and fails the test on any GraphQL error or row error. */
export async function importCitizens(admin: Call, rows: readonly CitizenRow[]): Promise<ImportResult> {
  const res = await admin<{ importCitizens: ImportResult }>(IMPORT, { rows, dryRun: false });
  if (res.data === undefined || res.data.importCitizens.errors.length > 0) throw new Error(`import failed: ${JSON.stringify(res.errors ?? res.data)}`);
  return res.data.importCitizens;
}

/** Signs in through the real path: the code goes out by the email-smtp plugin and is read from the SMTP server. */
export async function signInByEmail(url: string, inbox: SmtpInbox, email: string): Promise<string> {
  const anyone = caller(url, null);
  await anyone('mutation($a: String!) { requestSignInCode(channel: "email", address: $a) }', { a: email });
  const res = await anyone<{ signIn: { token: string } }>('mutation($a: String!, $c: String!) { signIn(channel: "email", address: $a, code: $c) { token } }', {
    a: email,
    c: inbox.lastCode(email),
  });
  if (res.data === undefined) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
  return res.data.signIn.token;
}

export interface SeededNotification {
  readonly citizenId: string;
  readonly agencyCode: string;
  readonly eventType?: string;
  readonly state?: string;
  readonly reason?: string | null;
  readonly channel?: string | null;
  readonly messageClass?: string;
  readonly decisions?: readonly unknown[];
  readonly subject?: string | null;
  readonly body?: string | null;
  readonly dueAt?: Date | null;
  readonly purged?: boolean;
  /** For a notification sent to a delegate (`citizenId`) about another citizen. */
  readonly onBehalfOf?: string | null;
  readonly createdAt?: Date;
}

/**
 * A notification row as the policy engine leaves it, written straight to the database: for history states and
 * decision trails that the pipeline reaches only at certain hours (quiet hours) or after other events (merges).
 */
export async function aNotification(app: INestApplication, n: SeededNotification): Promise<string> {
  const em = app.get(EntityManager).fork() as SqlEntityManager;
  const eventId = randomUUID();
  const id = randomUUID();
  const createdAt = n.createdAt ?? new Date();
  await em.execute(
    `insert into "event" ("id", "agency_id", "source", "ce_id", "type", "received_via", "status", "created_at")
     select ?, "id", '/seed', ?, ?, 'graphql', 'accepted', ? from "agency" where "code" = ?`,
    [eventId, eventId, n.eventType ?? 'id.go.seed.notice.v1', createdAt, n.agencyCode],
  );
  await em.execute(
    `insert into "notification" ("id", "event_id", "agency_id", "citizen_id", "channel", "state", "reason", "rendered_subject", "rendered_body",
       "recipient_role", "on_behalf_of", "message_class", "decisions", "due_at", "purged_at", "created_at", "updated_at")
     select ?, ?, "agency_id", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ? from "event" where "id" = ?`,
    [
      id,
      eventId,
      n.citizenId,
      n.channel === undefined ? 'sms' : n.channel,
      n.state ?? 'sent',
      n.reason ?? null,
      n.purged === true ? null : (n.subject ?? null),
      n.purged === true ? null : (n.body ?? 'Pesan uji'),
      n.onBehalfOf == null ? 'subject' : 'delegate',
      n.onBehalfOf ?? null,
      n.messageClass ?? 'reminder',
      JSON.stringify(n.decisions ?? []),
      n.dueAt ?? null,
      n.purged === true ? createdAt : null,
      createdAt,
      createdAt,
      eventId,
    ],
  );
  return id;
}
