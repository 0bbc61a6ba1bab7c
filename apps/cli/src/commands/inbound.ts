import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const INBOUND_HELP = `kabar inbound list
kabar inbound route --agency CODE --channel sms|whatsapp [--to ADDRESS] [--keyword WORD]
kabar inbound remove ID

Routes the messages citizens send on their own (an SMS to a short code, a WhatsApp message) to the agency whose
complaint desk answers them. The most specific route wins: address and keyword, then keyword, then address, then the
channel's catch-all. Routing the same channel, address and keyword again hands it to the new agency.
  --agency   the agency's code (e.g. lapor-bdg)
  --channel  sms or whatsapp
  --to       the short code, number or WhatsApp number id citizens write to; any when left out
  --keyword  the first word of the message, any case (e.g. PAJAK); any when left out

Common options: --url URL, --token TOKEN (default KABAR_URL, KABAR_TOKEN), --json.
Example: kabar inbound route --agency bapenda-bdg --channel sms --to 1708 --keyword PAJAK`;

interface RouteView {
  id: string;
  agencyCode: string;
  channel: string;
  to: string;
  keyword: string;
}

const ROUTE_FIELDS = 'id agencyCode channel to keyword';

export async function inboundCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(rest, io, env);
    case 'route':
      return route(rest, io, env);
    case 'remove':
      return remove(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected list, route or remove\n\n${INBOUND_HELP}`);
  }
}

const any = (value: string): string => (value === '' ? '(any)' : value);

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: HUB_OPTIONS });
  const hub = new HubClient(hubUrl(values.url, env));
  const { inboundRoutes } = await hub.graphql<{ inboundRoutes: RouteView[] }>(adminToken(values.token, env), `{ inboundRoutes { ${ROUTE_FIELDS} } }`);
  if (values.json === true) {
    printJson(io, inboundRoutes);
    return 0;
  }
  for (const line of table(['ID', 'CHANNEL', 'TO', 'KEYWORD', 'AGENCY'], inboundRoutes.map((r) => [r.id, r.channel, any(r.to), any(r.keyword), r.agencyCode]))) io.out(line);
  if (inboundRoutes.length === 0) io.err('kabar: no inbound routes yet; citizens\' own messages are dropped until one takes them (`kabar inbound route`)');
  return 0;
}

async function route(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: { ...HUB_OPTIONS, agency: { type: 'string' }, channel: { type: 'string' }, to: { type: 'string' }, keyword: { type: 'string' } },
  });
  const missing = [values.agency === undefined ? '--agency' : null, values.channel === undefined ? '--channel' : null].filter((flag) => flag !== null);
  if (missing.length > 0) throw new CliError(CliErrorCode.Usage, `inbound route needs ${missing.join(', ')}\n\n${INBOUND_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { setInboundRoute } = await hub.graphql<{ setInboundRoute: RouteView }>(
    adminToken(values.token, env),
    `mutation($r: InboundRouteInput!) { setInboundRoute(route: $r) { ${ROUTE_FIELDS} } }`,
    { r: { agencyCode: values.agency, channel: values.channel, to: values.to ?? '', keyword: values.keyword ?? '' } },
  );
  if (values.json === true) printJson(io, setInboundRoute);
  else io.out(`routed ${setInboundRoute.channel} to ${any(setInboundRoute.to)} with keyword ${any(setInboundRoute.keyword)} to ${setInboundRoute.agencyCode} (${setInboundRoute.id})`);
  return 0;
}

async function remove(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `inbound remove takes one route id\n\n${INBOUND_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  await hub.graphql<{ removeInboundRoute: boolean }>(adminToken(values.token, env), 'mutation($id: ID!) { removeInboundRoute(id: $id) }', { id });
  if (values.json === true) printJson(io, { removed: id });
  else io.out(`removed inbound route ${id}`);
  return 0;
}
