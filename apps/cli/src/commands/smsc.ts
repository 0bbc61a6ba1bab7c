import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import type { Io } from '../output.js';
import { startDevSmsc } from './smsc/dev-smsc.js';

export { type DevSmsc, type DevSmscOptions, startDevSmsc } from './smsc/dev-smsc.js';

export const SMSC_HELP = `kabar smsc [--port 2775] [--host 127.0.0.1] [--system-id kabar] [--password PASSWORD] [--no-receipts] [--mo]

A local SMPP 3.4 server (an SMSC) for trying the SMS plugin without an operator: point the sms-smpp plugin at it and
watch each message arrive. It is a developer tool: it prints the text of the messages it receives, so use it with
test data only. It keeps nothing.
  --port         where to listen (default 2775; 0 picks a free port)
  --host         the address to listen on (default 127.0.0.1; 0.0.0.0 to be reached from a container)
  --system-id    the system_id clients must bind with (default kabar)
  --password     the password they must bind with (at most 8 characters, as in SMPP); without it any is accepted
  --no-receipts  send no delivery receipts
  --mo           read citizens' SMS from standard input, one "FROM TO TEXT" per line (below)

Clients bind as transceivers, as the plugin does. Each submit_sm is accepted with a fresh message id and printed on
stdout as one line: time, sender, recipient and text, decoded as its data_coding says (GSM 7-bit or UCS-2); the parts
of a long message are printed as they arrive, each with its number from the UDH, e.g. [part 2/3, ref 7]. When a
submit_sm asks for a receipt (registered_delivery 1, as the plugin does), a delivery receipt (deliver_sm with
stat:DELIVRD) follows a moment later on a bound session, so the hub marks the message delivered. Binds, refusals,
receipts and unbinds are noted on stderr. Ctrl-C (or SIGTERM) unbinds the clients and stops.

With --mo, a citizen's SMS to the hub: type a line "FROM TO TEXT" (e.g. +6281234567890 1708 Jalan rusak di Jl. Dago) and
it goes to the last-bound client as a deliver_sm, as an operator hands over a mobile-originated message; with an inbound route
for TO, the hub opens a complaint (kabar inbound route --agency lapor-bdg --channel sms --to 1708), and with
"stayBound": true in the plugin's configuration it arrives even before the hub has sent anything.

Plugin configuration to match (kabar plugins configure sms-smpp --config-file smpp.json):
  {"host": "127.0.0.1", "port": 2775, "systemId": "kabar", "password": "secret", "defaultSender": "KABAR"}`;

/** Resolves with the name of the first SIGINT or SIGTERM, after which a second one ends the process as usual. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A line typed to send a citizen's SMS: the sender (E.164), the address written to, and the text. */
const MO_LINE = /^(\+?\d{5,15})\s+([A-Za-z0-9+]{1,20})\s+(.+)$/;

/**
 * `stopped` resolves when the server should stop (with why); the command waits for a signal. Each line of `input`
 * "FROM TO TEXT" is handed to the hub as a citizen's SMS.
 */
export async function smscCommand(args: readonly string[], io: Io, stopped: () => Promise<string> = untilSignal, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'system-id': { type: 'string' }, password: { type: 'string' }, 'no-receipts': { type: 'boolean' }, mo: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `smsc takes no arguments\n\n${SMSC_HELP}`);
  const port = values.port === undefined ? 2775 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new CliError(CliErrorCode.Usage, `--port must be a port number from 0 to 65535, got "${values.port ?? ''}"`);
  const systemId = values['system-id'] ?? 'kabar';
  // The sizes of the bind_transceiver fields (16 and 9 octets, NUL included): a longer value could never match.
  if (systemId === '' || systemId.length > 15) throw new CliError(CliErrorCode.Usage, '--system-id must be 1 to 15 characters');
  const password = values.password ?? null;
  if (password !== null && (password === '' || password.length > 8)) throw new CliError(CliErrorCode.Usage, '--password must be 1 to 8 characters');
  const receipts = values['no-receipts'] !== true;
  const note = (line: string): void => io.err(`kabar smsc: ${line}`);

  const smsc = await startDevSmsc({ port, host: values.host ?? '127.0.0.1', systemId, password, receipts, print: io.out, note });
  note(
    `listening on ${values.host ?? '127.0.0.1'}:${smsc.port} for system_id "${systemId}" with ${password === null ? 'any password' : 'the given password'}; ` +
      `receipts ${receipts ? 'on' : 'off'}; Ctrl-C stops`,
  );
  // Only when asked: a background `kabar smsc &` that read the terminal would be stopped by it (SIGTTIN).
  const lines = values.mo === true ? createInterface({ input, terminal: false }) : null;
  lines?.on('line', (line) => {
    if (line.trim() === '') return;
    const mo = MO_LINE.exec(line.trim());
    if (mo === null) {
      note('to send a citizen\'s SMS, type: FROM TO TEXT (e.g. +6281234567890 1708 Jalan rusak)');
      return;
    }
    const [, from = '', to = '', text = ''] = mo;
    void smsc.deliver(from, to, text).then((status) =>
      note(status === undefined ? 'no client is bound: the SMS was not handed over' : status === 0 ? `handed ${from} → ${to} to the client` : `the client refused ${from} → ${to} (command_status 0x${status.toString(16)})`),
    );
  });
  const why = await stopped();
  lines?.close();
  note(`${why}: unbinding and stopping`);
  await smsc.close();
  return 0;
}
