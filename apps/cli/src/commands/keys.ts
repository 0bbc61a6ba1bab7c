import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const KEYS_HELP = `kabar keys issue --agency CODE [--kind live|test] [--name NAME]
kabar keys list --agency CODE
kabar keys revoke --agency CODE --key KEY_ID

An agency's API keys on a running hub, over its admin GraphQL API.
  issue   prints the new key's token (\`<key id>.<secret>\`) on stdout, once: the hub keeps only a hash.
          --kind defaults to live, --name to "default".
  list    every key of the agency, revoked ones included (never their secrets)
  revoke  the key stops working at once (401 on POST /v1/events, INVALID_CREDENTIALS on GraphQL)

Options --url, --token and --json as for \`kabar agencies\` (KABAR_URL, KABAR_TOKEN).`;

interface KeyView {
  id: string;
  name: string;
  kind: string;
  createdAt: string;
  revokedAt: string | null;
}

const KEY_FIELDS = 'id name kind createdAt revokedAt';

export async function keysCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'issue':
      return issue(rest, io, env);
    case 'list':
      return list(rest, io, env);
    case 'revoke':
      return revoke(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected issue, list or revoke\n\n${KEYS_HELP}`);
  }
}

function required(value: string | undefined, flag: string, action: string): string {
  if (value === undefined) throw new CliError(CliErrorCode.Usage, `keys ${action} needs ${flag}\n\n${KEYS_HELP}`);
  return value;
}

async function issue(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: { ...HUB_OPTIONS, agency: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } } });
  const agency = required(values.agency, '--agency', 'issue');
  const kind = values.kind ?? 'live';
  // A choice between two words is a usage question, answered here (exit 2) rather than as a GraphQL variable error.
  if (kind !== 'live' && kind !== 'test') throw new CliError(CliErrorCode.Usage, `--kind must be live or test, got "${kind}"`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { issueApiKey } = await hub.graphql<{ issueApiKey: { key: KeyView; secret: string } }>(
    adminToken(values.token, env),
    `mutation($agency: String!, $kind: ApiKeyKind!, $name: String!) { issueApiKey(agencyCode: $agency, kind: $kind, name: $name) { key { ${KEY_FIELDS} } secret } }`,
    { agency, kind, name: values.name ?? 'default' },
  );
  if (values.json === true) {
    printJson(io, issueApiKey);
    return 0;
  }
  io.out(issueApiKey.secret);
  io.err(`kabar: issued ${issueApiKey.key.kind} key ${issueApiKey.key.id} "${issueApiKey.key.name}" for ${agency}; the token above is shown only this once`);
  return 0;
}

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: { ...HUB_OPTIONS, agency: { type: 'string' } } });
  const agency = required(values.agency, '--agency', 'list');
  const hub = new HubClient(hubUrl(values.url, env));
  const { apiKeys } = await hub.graphql<{ apiKeys: KeyView[] }>(adminToken(values.token, env), `query($agency: String!) { apiKeys(agencyCode: $agency) { ${KEY_FIELDS} } }`, { agency });
  if (values.json === true) {
    printJson(io, apiKeys);
    return 0;
  }
  const rows = apiKeys.map((k) => [k.id, k.name, k.kind, k.createdAt, k.revokedAt ?? '-']);
  for (const line of table(['ID', 'NAME', 'KIND', 'CREATED', 'REVOKED'], rows)) io.out(line);
  return 0;
}

async function revoke(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: { ...HUB_OPTIONS, agency: { type: 'string' }, key: { type: 'string' } } });
  const agency = required(values.agency, '--agency', 'revoke');
  const key = required(values.key, '--key', 'revoke');
  const hub = new HubClient(hubUrl(values.url, env));
  await hub.graphql<{ revokeApiKey: boolean }>(adminToken(values.token, env), 'mutation($agency: String!, $key: String!) { revokeApiKey(agencyCode: $agency, keyId: $key) }', {
    agency,
    key,
  });
  if (values.json === true) printJson(io, { agency, key, revoked: true });
  else io.out(`revoked key ${key} of ${agency}`);
  return 0;
}
