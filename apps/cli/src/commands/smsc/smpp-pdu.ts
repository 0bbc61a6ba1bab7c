import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Server as NetServer, Socket } from 'node:net';

// The `smpp` package ships no types. The sms-smpp plugin declares them for its own build, which this package's build
// does not see, so the little used here is declared here and the module is loaded untyped.
export interface SmppPdu {
  readonly command: string;
  readonly sequence_number: number;
  readonly [field: string]: unknown;
  isResponse(): boolean;
  response(fields?: Readonly<Record<string, unknown>>): SmppPdu;
}

export interface SmppSession extends EventEmitter {
  readonly socket: Socket;
  send(pdu: SmppPdu, onResponse?: (response: SmppPdu) => void): boolean;
  close(): void;
  destroy(): void;
}

export interface SmppServer extends NetServer {
  readonly sessions: SmppSession[];
}

interface SmppLibrary {
  createServer(options: Readonly<Record<string, unknown>>, onSession: (session: SmppSession) => void): SmppServer;
  PDU: new (command: string, fields?: Readonly<Record<string, unknown>>) => SmppPdu;
}

export const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

export const TON_INTERNATIONAL = 1;

/** A C-octet string field of a decoded PDU, '' when absent. */
export function stringField(pdu: SmppPdu, name: string): string {
  const value = pdu[name];
  return typeof value === 'string' ? value : '';
}

/** An integer field of a decoded PDU, 0 when absent. */
export function numberField(pdu: SmppPdu, name: string): number {
  const value = pdu[name];
  return typeof value === 'number' ? value : 0;
}
