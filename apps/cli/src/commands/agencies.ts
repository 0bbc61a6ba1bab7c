import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, DEFAULT_HUB_URL, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const AGENCIES_HELP = `kabar agencies create --code CODE --name NAME --source SOURCE [--source SOURCE2…]
                      [--sms-sender ID] [--email-sender "Name <address>"] [--locale id|en]
kabar agencies list

Registers and lists agencies on a running hub, over its admin GraphQL API; the hub checks every value.
  --code          short stable code: lowercase letters, digits and dashes (e.g. bapenda-bdg)
  --source        a CloudEvents source the agency publishes under (repeatable)
  --sms-sender    alphanumeric SMS sender ID, up to 11 characters
  --email-sender  e-mail From, e.g. "Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>"
  --locale        the agency's default language (default id)

Common options (also for \`kabar keys\`):
  --url URL       the hub (default KABAR_URL, else ${DEFAULT_HUB_URL})
  --token TOKEN   an admin token (default KABAR_TOKEN; prefer the variable, flags show in process lists)
  --json          machine-readable output`;

interface AgencyView {
  code: string;
  name: string;
  defaultLocale: string;
  sources: string[];
  senderIds: { sms: string | null; email: string | null };
  callbackUrl: string | null;
}

const AGENCY_FIELDS = 'id code name defaultLocale sources senderIds { sms email } callbackUrl ratePerMinute dailyQuota';

export async function agenciesCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create':
      return create(rest, io, env);
    case 'list':
      return list(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected create or list\n\n${AGENCIES_HELP}`);
  }
}

async function create(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      ...HUB_OPTIONS,
      code: { type: 'string' },
      name: { type: 'string' },
      source: { type: 'string', multiple: true },
      'sms-sender': { type: 'string' },
      'email-sender': { type: 'string' },
      locale: { type: 'string' },
    },
  });
  const missing = [values.code === undefined ? '--code' : null, values.name === undefined ? '--name' : null, values.source === undefined ? '--source' : null].filter(
    (flag) => flag !== null,
  );
  if (missing.length > 0) throw new CliError(CliErrorCode.Usage, `agencies create needs ${missing.join(', ')}\n\n${AGENCIES_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const senderIds = { sms: values['sms-sender'], email: values['email-sender'] };
  const input = {
    code: values.code,
    name: values.name,
    sources: values.source,
    ...(values.locale === undefined ? {} : { defaultLocale: values.locale }),
    ...(senderIds.sms === undefined && senderIds.email === undefined ? {} : { senderIds }),
  };
  const { createAgency } = await hub.graphql<{ createAgency: AgencyView }>(
    adminToken(values.token, env),
    `mutation($input: CreateAgencyInput!) { createAgency(input: $input) { ${AGENCY_FIELDS} } }`,
    { input },
  );
  if (values.json === true) printJson(io, createAgency);
  else io.out(`created agency ${createAgency.code} "${createAgency.name}" (sources: ${createAgency.sources.join(', ')})`);
  return 0;
}

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: HUB_OPTIONS });
  const hub = new HubClient(hubUrl(values.url, env));
  const { agencies } = await hub.graphql<{ agencies: AgencyView[] }>(adminToken(values.token, env), `{ agencies { ${AGENCY_FIELDS} } }`);
  if (values.json === true) {
    printJson(io, agencies);
    return 0;
  }
  const rows = agencies.map((a) => [a.code, a.name, a.defaultLocale, a.sources.join(', '), a.senderIds.sms ?? '-', a.senderIds.email ?? '-']);
  for (const line of table(['CODE', 'NAME', 'LOCALE', 'SOURCES', 'SMS SENDER', 'E-MAIL SENDER'], rows)) io.out(line);
  if (agencies.length === 0) io.err('kabar: no agencies yet; add one with `kabar agencies create`');
  return 0;
}
