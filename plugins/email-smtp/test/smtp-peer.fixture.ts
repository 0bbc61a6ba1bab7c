import type { AddressInfo } from 'node:net';
import net from 'node:net';

import { type Certificate, selfSignedCertificate } from '@kabar/testing';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export { type Certificate, selfSignedCertificate };


export interface ReceivedMail {
  /** The message as the server got it, parsed by mailparser. */
  readonly parsed: ParsedMail;
  /** Header lines exactly as sent, keyed by lower-case name. */
  readonly header: (name: string) => string | undefined;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  /** Whether the session had been upgraded to TLS (STARTTLS) when the message came. */
  readonly secure: boolean;
  readonly user: string | undefined;
}

export interface SmtpPeer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) on loopback: STARTTLS with the given certificate, AUTH PLAIN/LOGIN (only after TLS)
 * against one user. Recipients named `unknown@…` get 550 and `greylisted@…` get 451 at RCPT TO.
 */
export async function startSmtpPeer(certificate: Certificate, user: string, pass: string): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    ...certificate,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth: (auth, _session, callback) => {
      if (auth.username === user && auth.password === pass) {
        callback(null, { user: auth.username });
        return;
      }
      callback(replyError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo: (address, _session, callback) => {
      const local = address.address.split('@')[0];
      if (local === 'unknown') callback(replyError(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
      else if (local === 'greylisted') callback(replyError(451, `4.7.1 <${address.address}>: Greylisted, try again later`));
      else callback();
    },
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          const { mailFrom } = session.envelope;
          mails.push({
            parsed,
            header: (name) => parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, ''),
            mailFrom: mailFrom === false ? '' : mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            // smtp-server leaves the user untyped: it is whatever onAuth handed back, here the user name.
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TCP server that accepts connections and never says a word, so the client waits for a greeting in vain. */
export async function startSilentPeer(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function replyError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
