import type { AddressInfo } from 'node:net';

import { type Certificate, selfSignedCertificate } from '@kabar/testing';
import smpp from 'smpp';

export const SYSTEM_ID = 'kabar';
export const PASSWORD = 'rahasia1';

/** Destinations that make the peer misbehave; any other number is accepted with a fresh message id. */
export const DESTINATION = {
  throttled: '+6281100000058',
  invalid: '+6281100000011',
  queueFull: '+6281100000020',
  silent: '+6281100000999',
  hangUp: '+6281100000666',
} as const;

const STATUS_FOR: Readonly<Record<string, number>> = {
  '6281100000058': 0x58,
  '6281100000011': 0x0b,
  '6281100000020': 0x14,
};

/** A submit_sm exactly as it crossed the wire, with its fields read from those bytes here (not by the library). */
export interface RecordedSubmit {
  readonly raw: Buffer;
  readonly serviceType: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly sourceAddr: string;
  readonly destinationTon: number;
  readonly destinationNpi: number;
  readonly destinationAddr: string;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  readonly dataCoding: number;
  readonly shortMessage: Buffer;
  /** What the peer answered with, if it answered. */
  messageId?: string;
}

export interface SmscPeer {
  readonly port: number;
  readonly submits: RecordedSubmit[];
  readonly counts: { binds: number; refusedBinds: number; enquireLinks: number; unbinds: number };
  /** Sends a deliver_sm on the most recently bound session and resolves with the plugin's deliver_sm_resp. */
  deliver(fields: Readonly<Record<string, unknown>>): Promise<smpp.SmppPdu>;
  close(): Promise<void>;
}

/** A real SMPP server (the `smpp` package's) on loopback, acting as an Indonesian operator's SMSC. */
/** `port` reopens a peer where a closed one was, to show a provider coming back after an outage. */
export async function startSmscPeer(tls?: Certificate, listenPort = 0): Promise<SmscPeer> {
  const submits: RecordedSubmit[] = [];
  const counts = { binds: 0, refusedBinds: 0, enquireLinks: 0, unbinds: 0 };
  const bound: smpp.Session[] = [];
  let nextId = 1;
  const server = smpp.createServer(tls === undefined ? {} : { key: tls.key, cert: tls.cert }, (session) => {
    const raw = recordRawSubmits(session);
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: smpp.SmppPdu) => {
      const ok = pdu['system_id'] === SYSTEM_ID && pdu['password'] === PASSWORD;
      if (ok) counts.binds++;
      else counts.refusedBinds++;
      session.send(pdu.response(ok ? { system_id: 'TSEL-SMSC' } : { command_status: 0x0e }));
      if (ok) bound.push(session);
    });
    session.on('enquire_link', (pdu: smpp.SmppPdu) => {
      counts.enquireLinks++;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: smpp.SmppPdu) => {
      counts.unbinds++;
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.SmppPdu) => {
      const bytes = raw.get(pdu.sequence_number);
      if (bytes === undefined) throw new Error(`no raw bytes for submit_sm #${pdu.sequence_number}`);
      const submit = parseSubmitSm(bytes);
      submits.push(submit);
      if (submit.destinationAddr === DESTINATION.silent.slice(1)) return;
      if (submit.destinationAddr === DESTINATION.hangUp.slice(1)) {
        session.close();
        return;
      }
      const status = STATUS_FOR[submit.destinationAddr];
      if (status !== undefined) {
        session.send(pdu.response({ command_status: status }));
        return;
      }
      submit.messageId = `tsel-${String(nextId++).padStart(6, '0')}`;
      session.send(pdu.response({ message_id: submit.messageId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    submits,
    counts,
    deliver: (fields) =>
      new Promise((resolve, reject) => {
        const session = bound.filter((s) => !s.socket.destroyed).at(-1);
        if (session === undefined) {
          reject(new Error('no bound session to deliver on'));
          return;
        }
        session.send(new smpp.PDU('deliver_sm', fields), resolve);
      }),
    close: () => {
      for (const session of server.sessions) session.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The library reads the socket with `read()`; a 'data' listener then sees exactly the chunks read, which are the
 * PDUs' bytes, so each submit_sm is kept as sent, keyed by sequence number.
 */
function recordRawSubmits(session: smpp.Session): Map<number, Buffer> {
  const bySequence = new Map<number, Buffer>();
  let buffered = Buffer.alloc(0);
  session.socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 16 && buffered.length >= buffered.readUInt32BE(0)) {
      const length = buffered.readUInt32BE(0);
      const pdu = buffered.subarray(0, length);
      if (pdu.readUInt32BE(4) === 0x00000004) bySequence.set(pdu.readUInt32BE(12), Buffer.from(pdu));
      buffered = buffered.subarray(length);
    }
  });
  return bySequence;
}

/** SMPP 3.4 §4.4.1, field by field. */
function parseSubmitSm(raw: Buffer): RecordedSubmit {
  let offset = 16;
  const octet = (): number => raw[offset++] ?? -1;
  const cString = (): string => {
    const end = raw.indexOf(0, offset);
    const value = raw.toString('latin1', offset, end);
    offset = end + 1;
    return value;
  };
  const serviceType = cString();
  const sourceTon = octet();
  const sourceNpi = octet();
  const sourceAddr = cString();
  const destinationTon = octet();
  const destinationNpi = octet();
  const destinationAddr = cString();
  const esmClass = octet();
  octet(); // protocol_id
  octet(); // priority_flag
  cString(); // schedule_delivery_time
  cString(); // validity_period
  const registeredDelivery = octet();
  octet(); // replace_if_present_flag
  const dataCoding = octet();
  octet(); // sm_default_msg_id
  const smLength = octet();
  const shortMessage = raw.subarray(offset, offset + smLength);
  return { raw, serviceType, sourceTon, sourceNpi, sourceAddr, destinationTon, destinationNpi, destinationAddr, esmClass, registeredDelivery, dataCoding, shortMessage };
}

export { type Certificate, selfSignedCertificate };

