import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, DEFAULT_HUB_URL, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const AGENCIES_HELP = `kabar agencies create --code CODE --name NAME --source SOURCE [--source SOURCE2…]
                      [--sms-sender ID] [--email-sender "Name <address>"] [--locale id|en] [--rate N] [--quota N]
                      [--answer-hours N | --answer-days N] [--timezone WIB|WITA|WIT] [--weekdays 1-5]
                      [--escalate-to CODE]
kabar agencies update CODE [--name NAME] [--source SOURCE…] [--sms-sender ID] [--email-sender "Name <address>"]
                      [--locale id|en] [--rate N] [--quota N] [--answer-hours N | --answer-days N] [--timezone ZONE]
                      [--weekdays 1-5] [--escalate-to CODE]
kabar agencies list

Registers, changes and lists agencies on a running hub, over its admin GraphQL API; the hub checks every value.
  --code          short stable code: lowercase letters, digits and dashes (e.g. bapenda-bdg)
  --source        a CloudEvents source the agency publishes under (repeatable; on update, the whole new list)
  --sms-sender    alphanumeric SMS sender ID, up to 11 characters (on update, "" removes it)
  --email-sender  e-mail From, e.g. "Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>" (on update, "" removes it)
  --locale        the agency's default language (default id)
  --rate          requests per minute per key (default 3000)
  --quota         events per day per key (default 250000)
  --answer-hours  hours a citizen's complaint may wait for the agency's answer before it is overdue (default 72)
  --answer-days   the answer time in working days instead (1 to 60): Monday to Friday, days off skipped
                  (\`kabar days-off\`), due at the end of the last one in the agency's zone
  --timezone      WIB (default), WITA or WIT: where the agency's working days begin and end
  --weekdays      the days its working days fall on, 1 Monday to 7 Sunday, as a list or ranges (default 1-5;
                  1-6 for a six-day week)
  --escalate-to   another agency told when this one lets a complaint wait past its due time (on update, "" removes it)

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
  ratePerMinute: number;
  dailyQuota: number;
  complaintResponseHours: number;
  complaintResponseWorkingDays: number | null;
  timezone: string;
  workingWeekdays: number[];
  complaintEscalation: string | null;
}

const AGENCY_FIELDS = 'id code name defaultLocale sources senderIds { sms email } callbackUrl ratePerMinute dailyQuota complaintResponseHours complaintResponseWorkingDays timezone workingWeekdays complaintEscalation';

/** The flags `create` and `update` share: what an agency is and what it may send. */
const AGENCY_OPTIONS = {
  ...HUB_OPTIONS,
  name: { type: 'string' },
  source: { type: 'string', multiple: true },
  'sms-sender': { type: 'string' },
  'email-sender': { type: 'string' },
  locale: { type: 'string' },
  rate: { type: 'string' },
  quota: { type: 'string' },
  'answer-hours': { type: 'string' },
  'answer-days': { type: 'string' },
  timezone: { type: 'string' },
  'escalate-to': { type: 'string' },
  weekdays: { type: 'string' },
} as const;

export async function agenciesCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create':
      return create(rest, io, env);
    case 'update':
      return update(rest, io, env);
    case 'list':
      return list(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected create, update or list\n\n${AGENCIES_HELP}`);
  }
}

async function create(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: { ...AGENCY_OPTIONS, code: { type: 'string' } },
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
    ...limits(values),
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

async function update(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: AGENCY_OPTIONS,
  });
  const [code, ...extra] = positionals;
  if (code === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `agencies update needs one agency code\n\n${AGENCIES_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const token = adminToken(values.token, env);
  const input: Record<string, unknown> = {
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.source === undefined ? {} : { sources: values.source }),
    ...(values.locale === undefined ? {} : { defaultLocale: values.locale }),
    ...limits(values),
  };
  const sms = values['sms-sender'];
  const email = values['email-sender'];
  if (sms !== undefined || email !== undefined) {
    // The hub replaces both sender IDs together; a flag left out keeps what the agency has.
    const { agencies } = await hub.graphql<{ agencies: AgencyView[] }>(token, `{ agencies { ${AGENCY_FIELDS} } }`);
    const current = agencies.find((a) => a.code === code)?.senderIds ?? { sms: null, email: null };
    const pick = (given: string | undefined, kept: string | null): string | null => (given === undefined ? kept : given === '' ? null : given);
    input.senderIds = { sms: pick(sms, current.sms), email: pick(email, current.email) };
  }
  if (Object.keys(input).length === 0) throw new CliError(CliErrorCode.Usage, `agencies update needs something to change\n\n${AGENCIES_HELP}`);
  const { updateAgency } = await hub.graphql<{ updateAgency: AgencyView }>(
    token,
    `mutation($code: String!, $input: UpdateAgencyInput!) { updateAgency(code: $code, input: $input) { ${AGENCY_FIELDS} } }`,
    { code, input },
  );
  if (values.json === true) printJson(io, updateAgency);
  else io.out(`updated agency ${updateAgency.code} "${updateAgency.name}" (sources: ${updateAgency.sources.join(', ')}; ${String(updateAgency.ratePerMinute)}/min, ${String(updateAgency.dailyQuota)}/day per key)`);
  return 0;
}

/** --rate, --quota, --answer-hours, --answer-days, --timezone and --escalate-to as the hub takes them; the hub says what is wrong with a value it refuses. */
function limits(values: { rate?: string | undefined; quota?: string | undefined; 'answer-hours'?: string | undefined; 'answer-days'?: string | undefined; timezone?: string | undefined; 'escalate-to'?: string | undefined; weekdays?: string | undefined }): Record<string, number | string | number[]> {
  const whole = (flag: string, value: string): number => {
    if (!/^\d+$/.test(value)) throw new CliError(CliErrorCode.Usage, `${flag} must be a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const { rate, quota, timezone } = values;
  const hours = values['answer-hours'];
  const days = values['answer-days'];
  if (hours !== undefined && days !== undefined) throw new CliError(CliErrorCode.Usage, 'give --answer-hours or --answer-days, not both');
  return {
    ...(rate === undefined ? {} : { ratePerMinute: whole('--rate', rate) }),
    ...(quota === undefined ? {} : { dailyQuota: whole('--quota', quota) }),
    ...(hours === undefined ? {} : { complaintResponseHours: whole('--answer-hours', hours) }),
    ...(days === undefined ? {} : { complaintResponseWorkingDays: whole('--answer-days', days) }),
    ...(timezone === undefined ? {} : { timezone }),
    ...(values['escalate-to'] === undefined ? {} : { complaintEscalation: values['escalate-to'] }),
    ...(values.weekdays === undefined ? {} : { workingWeekdays: weekdaysOf(values.weekdays) }),
  };
}

/** `1-5`, `1-6` or `1,2,3,4,5,7` as the days they name; the hub checks the week itself. */
function weekdaysOf(text: string): number[] {
  const days = text.split(',').flatMap((part) => {
    const range = /^\s*(\d)\s*(?:-\s*(\d)\s*)?$/.exec(part);
    if (range === null) throw new CliError(CliErrorCode.Usage, `--weekdays must be days 1 (Monday) to 7 (Sunday) like 1-5 or 1,2,3,4,5,6, got ${JSON.stringify(text)}`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    return Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);
  });
  return days;
}

/** "1-5" for a run of days, else the days listed. */
const weekdaysText = (days: readonly number[]): string => {
  const sorted = [...days].sort((a, b) => a - b);
  const contiguous = sorted.every((d, i) => i === 0 || d === (sorted[i - 1] ?? 0) + 1);
  return contiguous && sorted.length > 1 ? `${String(sorted[0])}-${String(sorted.at(-1))}` : sorted.join(',');
};

/** The answer target as people say it. */
const answerTime = (a: AgencyView): string => (a.complaintResponseWorkingDays === null ? `${String(a.complaintResponseHours)} h` : `${String(a.complaintResponseWorkingDays)} working days`);

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: HUB_OPTIONS });
  const hub = new HubClient(hubUrl(values.url, env));
  const { agencies } = await hub.graphql<{ agencies: AgencyView[] }>(adminToken(values.token, env), `{ agencies { ${AGENCY_FIELDS} } }`);
  if (values.json === true) {
    printJson(io, agencies);
    return 0;
  }
  const rows = agencies.map((a) => [
    a.code,
    a.name,
    a.defaultLocale,
    a.sources.join(', '),
    a.senderIds.sms ?? '-',
    a.senderIds.email ?? '-',
    `${String(a.ratePerMinute)}/min`,
    `${String(a.dailyQuota)}/day`,
    `${answerTime(a)} ${a.timezone}${a.complaintResponseWorkingDays !== null && weekdaysText(a.workingWeekdays) !== '1-5' ? ` days ${weekdaysText(a.workingWeekdays)}` : ''}${a.complaintEscalation === null ? '' : ` → ${a.complaintEscalation}`}`,
  ]);
  for (const line of table(['CODE', 'NAME', 'LOCALE', 'SOURCES', 'SMS SENDER', 'E-MAIL SENDER', 'RATE', 'QUOTA', 'ANSWER TIME'], rows)) io.out(line);
  if (agencies.length === 0) io.err('kabar: no agencies yet; add one with `kabar agencies create`');
  return 0;
}
