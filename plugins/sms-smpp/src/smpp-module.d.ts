// The `smpp` package (0.5.1) ships no types. Only what this plugin and its test peer use is declared, loosely where
// the library is loose: PDU fields are read through `SmppPdu`'s index signature and checked where they are used.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A decoded PDU: header fields, plus the command's parameters and TLVs by their SMPP names. */
    interface SmppPdu {
      readonly command: string;
      readonly command_id: number;
      readonly command_status: number;
      readonly sequence_number: number;
      readonly [field: string]: unknown;
      isResponse(): boolean;
      response(fields?: Readonly<Record<string, unknown>>): SmppPdu;
    }

    interface Session extends EventEmitter {
      readonly socket: Socket;
      send(pdu: SmppPdu, onResponse?: (response: SmppPdu) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
    }

    interface Server extends NetServer {
      readonly sessions: Session[];
    }

    interface ConnectOptions {
      readonly host: string;
      readonly port: number;
      readonly tls?: boolean;
      readonly ca?: string;
      readonly servername?: string;
    }
  }

  const smpp: {
    connect(options: smpp.ConnectOptions): smpp.Session;
    createServer(options: Readonly<Record<string, unknown>>, onSession: (session: smpp.Session) => void): smpp.Server;
    PDU: new (command: string, fields?: Readonly<Record<string, unknown>>) => smpp.SmppPdu;
  };

  export = smpp;
}
