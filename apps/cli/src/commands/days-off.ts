import { parseArgs } from 'node:util';

import { type DayOffLine, parseDaysOffCsv } from '@kabar/core';

import { CliError, CliErrorCode } from '../cli-error.js';
import { readCsv } from '../csv-file.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const DAYS_OFF_HELP = `kabar days-off list [--year YYYY] [--agency CODE]
kabar days-off set DATE NAME [--agency CODE]
kabar days-off import FILE.csv
kabar days-off remove DATE [--agency CODE]

The working calendar complaint answer times in working days count on (agencies set with --answer-days): Saturdays,
Sundays and these days are not working days. A day off is national (every agency) unless --agency names one. Each
change moves the due times of complaints already waiting, so collective leave declared late still counts.
  --year     the year to list (default this year)
  --agency   the agency the day off is for (list: national days and that agency's)
  FILE.csv   a header naming date and name, and optionally agency (empty for national), then one day per line:
               date,name,agency
               2027-08-17,Hari Kemerdekaan RI,
               2027-09-25,Hari jadi Kota Bandung,lapor-bdg
             every line is checked first; any error means nothing is sent. Up to 400 days per file.

Common options: --url URL, --token TOKEN (default KABAR_URL, KABAR_TOKEN), --json.`;

interface Change {
  changed: number;
  dueTimesMoved: number;
}

const SET = 'mutation($d: [DayOffInput!]!) { setDaysOff(days: $d) { changed dueTimesMoved } }';

export async function daysOffCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(rest, io, env);
    case 'set':
      return set(rest, io, env);
    case 'import':
      return importFile(rest, io, env);
    case 'remove':
      return remove(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected list, set, import or remove\n\n${DAYS_OFF_HELP}`);
  }
}

const OPTIONS = { ...HUB_OPTIONS, agency: { type: 'string' } } as const;

const moved = (change: Change): string => `${String(change.dueTimesMoved)} waiting complaint${change.dueTimesMoved === 1 ? '' : 's'} moved`;

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: { ...OPTIONS, year: { type: 'string' } } });
  const year = values.year ?? String(new Date().getUTCFullYear());
  if (!/^\d{4}$/.test(year)) throw new CliError(CliErrorCode.Usage, `--year must be a year like 2027, got ${JSON.stringify(year)}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { daysOff } = await hub.graphql<{ daysOff: DayOffLine[] }>(adminToken(values.token, env), 'query($y: Int!, $a: String) { daysOff(year: $y, agencyCode: $a) { day name agencyCode } }', {
    y: Number(year),
    a: values.agency ?? null,
  });
  if (values.json === true) {
    printJson(io, daysOff);
    return 0;
  }
  for (const line of table(['DATE', 'NAME', 'AGENCY'], daysOff.map((d) => [d.day, d.name, d.agencyCode ?? '(all)']))) io.out(line);
  if (daysOff.length === 0) io.err(`kabar: no days off in ${year} yet; add them with \`kabar days-off set\` or \`kabar days-off import\``);
  return 0;
}

async function set(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: OPTIONS });
  const [day, name, ...extra] = positionals;
  if (day === undefined || name === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `days-off set needs a date and a name (quote a name with spaces)\n\n${DAYS_OFF_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { setDaysOff } = await hub.graphql<{ setDaysOff: Change }>(adminToken(values.token, env), SET, { d: [{ day, name, agencyCode: values.agency ?? null }] });
  if (values.json === true) printJson(io, setDaysOff);
  else io.out(`${day} is a day off for ${values.agency ?? 'every agency'}: ${name} (${moved(setDaysOff)})`);
  return 0;
}

async function importFile(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `days-off import needs one CSV file\n\n${DAYS_OFF_HELP}`);
  const csv = parseDaysOffCsv(await readCsv(file));
  if (csv.errors.length > 0) {
    for (const e of csv.errors) io.err(`${file}:${String(e.line)}: ${e.message}`);
    throw new CliError(CliErrorCode.Failed, `${String(csv.errors.length)} line${csv.errors.length === 1 ? '' : 's'} with errors: nothing imported`);
  }
  const hub = new HubClient(hubUrl(values.url, env));
  const { setDaysOff } = await hub.graphql<{ setDaysOff: Change }>(adminToken(values.token, env), SET, { d: csv.days });
  if (values.json === true) printJson(io, setDaysOff);
  else io.out(`${String(setDaysOff.changed)} days off set (${moved(setDaysOff)})`);
  return 0;
}

async function remove(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: OPTIONS });
  const [day, ...extra] = positionals;
  if (day === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `days-off remove needs one date\n\n${DAYS_OFF_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { removeDayOff } = await hub.graphql<{ removeDayOff: Change }>(adminToken(values.token, env), 'mutation($d: String!, $a: String) { removeDayOff(day: $d, agencyCode: $a) { changed dueTimesMoved } }', {
    d: day,
    a: values.agency ?? null,
  });
  if (values.json === true) printJson(io, removeDayOff);
  else io.out(`${day} is a working day again for ${values.agency ?? 'every agency'} (${moved(removeDayOff)})`);
  return 0;
}
