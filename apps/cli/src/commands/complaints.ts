import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const COMPLAINTS_HELP = `kabar complaints performance [--from YYYY-MM-DD] [--to YYYY-MM-DD]

How each agency handled the complaints opened in the period that it holds now (the last 30 days by default): opened,
still waiting, answered in words, gone overdue, answered in time, the follow-up rate (answered of opened), the in-time
rate (in time of answered) and the median hours to a first answer.
  --from   the first day counted (00:00 UTC)
  --to     the day after the last one counted (00:00 UTC)

Common options: --url URL, --token TOKEN (default KABAR_URL, KABAR_TOKEN), --json.`;

interface Performance {
  agencyCode: string;
  opened: number;
  waiting: number;
  answered: number;
  closed: number;
  wentOverdue: number;
  answeredInTime: number;
  answerRate: number | null;
  inTimeRate: number | null;
  medianFirstAnswerHours: number | null;
}

export async function complaintsCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'performance') throw new CliError(CliErrorCode.Usage, `expected performance\n\n${COMPLAINTS_HELP}`);
  const { values } = parseArgs({ args: [...rest], strict: true, options: { ...HUB_OPTIONS, from: { type: 'string' }, to: { type: 'string' } } });
  const day = (flag: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new CliError(CliErrorCode.Usage, `${flag} must be a date like 2026-11-01, got ${JSON.stringify(value)}`);
    return `${value}T00:00:00Z`;
  };
  const hub = new HubClient(hubUrl(values.url, env));
  const { complaintPerformanceByAgency: rows } = await hub.graphql<{ complaintPerformanceByAgency: Performance[] }>(
    adminToken(values.token, env),
    'query($from: DateTime, $to: DateTime) { complaintPerformanceByAgency(from: $from, to: $to) { agencyCode opened waiting answered closed wentOverdue answeredInTime answerRate inTimeRate medianFirstAnswerHours } }',
    { from: day('--from', values.from), to: day('--to', values.to) },
  );
  if (values.json === true) {
    printJson(io, rows);
    return 0;
  }
  const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)} %`);
  const body = rows.map((r) => [r.agencyCode, String(r.opened), String(r.waiting), String(r.answered), String(r.wentOverdue), percent(r.answerRate), percent(r.inTimeRate), r.medianFirstAnswerHours === null ? '-' : `${String(r.medianFirstAnswerHours)} h`]);
  for (const line of table(['AGENCY', 'OPENED', 'WAITING', 'ANSWERED', 'OVERDUE', 'FOLLOW-UP', 'IN TIME', 'FIRST ANSWER'], body)) io.out(line);
  if (rows.length === 0) io.err('kabar: no complaints opened in that period');
  return 0;
}
