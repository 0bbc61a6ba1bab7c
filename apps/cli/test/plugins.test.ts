import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { pluginsCommand } from '../src/commands/plugins.js';
import type { Io } from '../src/output.js';
import { anInstall, aRoute, data, hubError, INSTALL_FIELDS, installs, INTEGRITY, LOOKUP, pluginsAgainstFakeHub, ROUTE_FIELDS, TOKEN } from './support/fake-plugin-hub.js';

// The unit is the command; a fake hub (a real HTTP server) answers scripted bodies, so the tests see the exact
// operations and variables the command sends. Install names and rate limits: plugins-names.test.ts.

describe('kabar plugins', () => {
  let dir: string;
  const cli = pluginsAgainstFakeHub();
  const run = cli.run;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kabar-plugins-'));
  });

  afterEach(async () => {
    await cli.close();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the packages the hub discovers', async () => {
    const discovered = [
      { packageName: '@kabar/plugin-sms-smpp', version: '0.1.0', directory: '/srv/kabar/plugins/sms-smpp', pluginId: 'sms-smpp', channel: 'sms', installed: true },
      { packageName: 'kabar-plugin-wa', version: '2.0.1', directory: '/srv/kabar/plugins/wa', pluginId: 'chat-wa', channel: 'whatsapp', installed: false },
    ];
    const { result, out, err, requests } = await run(['discover'], [data({ discoverPlugins: discovered })]);
    await expect(result).resolves.toBe(0);
    expect(requests).toEqual([{ authorization: `Bearer ${TOKEN}`, query: '{ discoverPlugins { packageName version directory pluginId channel installed } }', variables: {} }]);
    expect(out).toEqual([
      'PLUGIN    CHANNEL   PACKAGE                 VERSION  INSTALLED  DIRECTORY',
      'sms-smpp  sms       @kabar/plugin-sms-smpp  0.1.0    yes        /srv/kabar/plugins/sms-smpp',
      'chat-wa   whatsapp  kabar-plugin-wa         2.0.1    no         /srv/kabar/plugins/wa',
    ]);
    expect(err).toEqual(['kabar: install one with `kabar plugins install DIRECTORY`']);
  });

  it('lists the installs and their state', async () => {
    const list = [
      anInstall({ enabled: true, check: { ok: true, detail: 'bound to TSEL-SMSC', at: '2025-01-02T07:05:00.000Z' } }),
      anInstall({ id: 'inst-2', name: 'email-smtp', pluginId: 'email-smtp', channel: 'email', approved: false, configured: false, config: null }),
      anInstall({ id: 'inst-3', name: 'sms-backup', circuit: 'halfOpen', check: { ok: false, detail: 'bind refused: wrong password', at: '2025-01-02T07:06:00.000Z' } }),
    ];
    const { result, out, requests } = await run(['list'], [data({ pluginInstalls: list })]);
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => r.query)).toEqual([`{ pluginInstalls { ${INSTALL_FIELDS} } }`]);
    expect(out).toEqual([
      'ID      NAME        PLUGIN      CHANNEL  VERSION  APPROVED  CONFIGURED  ENABLED  RATE  CIRCUIT    CHECK',
      'inst-1  sms-smpp    sms-smpp    sms      0.1.0    yes       yes         yes      -     closed     ok',
      'inst-2  email-smtp  email-smtp  email    0.1.0    no        no          no       -     closed     -',
      'inst-3  sms-backup  sms-smpp    sms      0.1.0    yes       yes         no       -     half-open  failed: bind refused: wrong password',
    ]);
  });

  it('prints the hub\'s answer with --json, and says when there is nothing', async () => {
    const json = await run(['list', '--json'], [data({ pluginInstalls: [anInstall()] })]);
    await expect(json.result).resolves.toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toEqual([anInstall()]);
    const empty = await run(['list'], [data({ pluginInstalls: [] })]);
    expect(empty.err).toEqual(['kabar: no plugins installed yet; `kabar plugins discover` shows what the hub can install']);
  });

  it('installs from a path made absolute, and prints the integrity to record', async () => {
    const { result, out, err, requests } = await run(['install', 'plugins/sms-smpp'], [data({ installPlugin: anInstall({ approved: false, source: resolve('plugins/sms-smpp') }) })]);
    await expect(result).resolves.toBe(0);
    expect(requests).toEqual([
      {
        authorization: `Bearer ${TOKEN}`,
        query: `mutation($source: String!, $integrity: String, $name: String) { installPlugin(source: $source, integrity: $integrity, name: $name) { ${INSTALL_FIELDS} } }`,
        // No --name: null, so that the hub names the install after its plugin id.
        variables: { source: join(process.cwd(), 'plugins/sms-smpp'), integrity: null, name: null },
      },
    ]);
    expect(out).toEqual([`installed sms-smpp 0.1.0 (sms, id inst-1) from ${join(process.cwd(), 'plugins/sms-smpp')}`, `integrity ${INTEGRITY}`]);
    expect(err).toEqual(['kabar: record the integrity (pass it as --integrity to install this exact package elsewhere); next, after review: kabar plugins approve sms-smpp']);
  });

  it('sends the expected integrity, and reports a mismatch as the hub words it', async () => {
    const tarball = '/srv/incoming/kabar-plugin-sms-smpp-0.1.0.tgz';
    const { result, requests } = await run(['install', tarball, '--integrity', INTEGRITY], [hubError('PLUGIN_INTEGRITY_MISMATCH', "the tarball's integrity is sha512-AAAA, not the expected one")]);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: "PLUGIN_INTEGRITY_MISMATCH: the tarball's integrity is sha512-AAAA, not the expected one" });
    expect(requests[0]?.variables).toEqual({ source: tarball, integrity: INTEGRITY, name: null });
  });

  it.each([
    ['approve', 'approvePlugin', 'approved', 'kabar: next, configure it: kabar plugins configure sms-smpp --config-file FILE'],
    ['enable', 'enablePlugin', 'enabled', 'kabar: next, route a channel through it: kabar plugins route CHANNEL sms-smpp'],
    ['disable', 'disablePlugin', 'disabled', undefined],
  ])('%s finds the install by its name, then runs %s with its id', async (action, mutation, done, hint) => {
    const { result, out, err, requests } = await run([action, 'sms-smpp'], [installs(anInstall({ id: 'inst-0', name: 'email-smtp', pluginId: 'email-smtp' }), anInstall()), data({ install: anInstall() })]);
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => [r.query, r.variables])).toEqual([
      [LOOKUP, {}],
      [`mutation($id: ID!) { install: ${mutation}(id: $id) { ${INSTALL_FIELDS} } }`, { id: 'inst-1' }],
    ]);
    expect(out).toEqual([`${done} sms-smpp 0.1.0 (sms, id inst-1)`]);
    expect(err).toEqual(hint === undefined ? [] : [hint]);
  });

  it('takes an install id first, even when another install has it as name', async () => {
    const odd = anInstall({ id: 'sms-smpp', name: 'sms-other' });
    const { result, requests } = await run(['enable', 'sms-smpp'], [installs(anInstall(), odd), data({ install: odd })]);
    await expect(result).resolves.toBe(0);
    expect(requests[1]?.variables).toEqual({ id: 'sms-smpp' });
  });

  it('sends nothing more when no install has that id or name', async () => {
    const unknown = await run(['approve', 'sms-xyz'], [installs(anInstall())]);
    await expect(unknown.result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'no plugin install "sms-xyz": give an install\'s name or id from `kabar plugins list`' });
    expect(unknown.requests).toHaveLength(1);
  });

  it('passes the hub\'s state errors on', async () => {
    const { result } = await run(['enable', 'inst-1'], [installs(anInstall()), hubError('PLUGIN_WRONG_STATE', 'sms-smpp has no passing check; run checkPlugin first')]);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'PLUGIN_WRONG_STATE: sms-smpp has no passing check; run checkPlugin first' });
  });

  describe('configure', () => {
    const CONFIGURE = `mutation($id: ID!, $config: JSON!) { configurePlugin(id: $id, config: $config) { ${INSTALL_FIELDS} } }`;
    const config = { host: '127.0.0.1', port: 2775, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR' };

    it('sends the configuration from a file and prints the hub\'s copy, secrets masked, never the input', async () => {
      const file = join(dir, 'smpp.json');
      await writeFile(file, JSON.stringify(config));
      const { result, out, err, requests } = await run(['configure', 'sms-smpp', '--config-file', file], [installs(anInstall()), data({ configurePlugin: anInstall() })]);
      await expect(result).resolves.toBe(0);
      expect(requests[1]).toEqual({ authorization: `Bearer ${TOKEN}`, query: CONFIGURE, variables: { id: 'inst-1', config } });
      expect(out).toEqual([
        'configured sms-smpp 0.1.0 (sms, id inst-1):',
        '{',
        '  "host": "127.0.0.1",',
        '  "port": 2775,',
        '  "systemId": "kabar",',
        '  "password": "********",',
        '  "defaultSender": "KABAR"',
        '}',
      ]);
      expect(err).toEqual(['kabar: next, check it: kabar plugins check sms-smpp']);
      expect([...out, ...err].join('\n')).not.toContain('rahasia1');
    });

    it('takes the configuration inline with --config', async () => {
      const { result, requests } = await run(['configure', 'inst-1', '--config', '{"host": "smsc.example", "password": "x"}'], [installs(anInstall()), data({ configurePlugin: anInstall() })]);
      await expect(result).resolves.toBe(0);
      expect(requests[1]?.variables).toEqual({ id: 'inst-1', config: { host: 'smsc.example', password: 'x' } });
    });

    it('lists each problem by path when the hub finds the configuration invalid', async () => {
      const problems = [
        { path: '', message: 'must have required property defaultSender' },
        { path: '/port', message: 'must be <= 65535' },
      ];
      const { result, out, err } = await run(
        ['configure', 'sms-smpp', '--config', JSON.stringify({ ...config, port: 70000 })],
        [installs(anInstall()), hubError('INVALID_PLUGIN_CONFIG', "the configuration does not fit sms-smpp's schema", { problems })],
      );
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: "INVALID_PLUGIN_CONFIG: the configuration does not fit sms-smpp's schema" });
      expect(err).toEqual(['(root): must have required property defaultSender', '/port: must be <= 65535']);
      expect(out).toEqual([]);
    });

    it.each([
      [['configure', 'sms-smpp'], 'plugins configure needs one of --config-file FILE and --config JSON'],
      [['configure', 'sms-smpp', '--config', '{}', '--config-file', 'a.json'], 'plugins configure needs one of --config-file FILE and --config JSON'],
      [['configure', 'sms-smpp', '--config', '{"password": "rahasia1",}'], '--config is not valid JSON (line 1, column 25)'],
      [['configure', 'sms-smpp', '--config', '"rahasia1"'], '--config must be a JSON object, like {"host": "…"}'],
      [['configure', '--config', '{}'], 'plugins configure needs INSTALL'],
    ])('refuses %j before asking the hub, without repeating the input', async (args, message) => {
      const { result, requests } = await run(args);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
      await expect(result).rejects.toThrow(message);
      await expect(result).rejects.not.toThrow('rahasia1');
      expect(requests).toEqual([]);
    });

    it('fails clearly on a missing file', async () => {
      const missing = join(dir, 'nowhere.json');
      const { result, requests } = await run(['configure', 'sms-smpp', '--config-file', missing]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `no file ${missing}` });
      expect(requests).toEqual([]);
    });
  });

  describe('check', () => {
    const CHECK = `mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`;
    const checked = (ok: boolean, detail: string): unknown => data({ checkPlugin: anInstall({ check: { ok, detail, at: '2025-01-02T07:05:00.000Z' } }) });

    it('prints a passing check', async () => {
      const { result, out, requests } = await run(['check', 'sms-smpp'], [installs(anInstall()), checked(true, 'bound to TSEL-SMSC')]);
      await expect(result).resolves.toBe(0);
      expect(requests[1]).toMatchObject({ query: CHECK, variables: { id: 'inst-1' } });
      expect(out).toEqual(['check of sms-smpp 0.1.0 (sms, id inst-1) ok: bound to TSEL-SMSC']);
    });

    it('fails (exit 1) with the detail when the check does not pass, and still prints the answer with --json', async () => {
      const { result, out } = await run(['check', 'sms-smpp', '--json'], [installs(anInstall()), checked(false, 'bind refused: wrong password (0x0e)')]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'check of sms-smpp 0.1.0 (sms, id inst-1) failed: bind refused: wrong password (0x0e)' });
      expect(JSON.parse(out.join('\n'))).toMatchObject({ id: 'inst-1', check: { ok: false } });
    });
  });

  it('uninstalls, and fails when the hub says it did not', async () => {
    const done = await run(['uninstall', 'sms-smpp'], [installs(anInstall()), data({ uninstallPlugin: true })]);
    await expect(done.result).resolves.toBe(0);
    expect(done.requests[1]).toMatchObject({ query: 'mutation($id: ID!) { uninstallPlugin(id: $id) }', variables: { id: 'inst-1' } });
    expect(done.out).toEqual(['uninstalled sms-smpp (id inst-1)']);
    const json = await run(['uninstall', 'inst-1', '--json'], [installs(anInstall()), data({ uninstallPlugin: true })]);
    expect(JSON.parse(json.out.join('\n'))).toEqual({ id: 'inst-1', name: 'sms-smpp', pluginId: 'sms-smpp', uninstalled: true });
    const refused = await run(['uninstall', 'sms-smpp'], [installs(anInstall()), data({ uninstallPlugin: false })]);
    await expect(refused.result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'the hub did not uninstall sms-smpp (id inst-1)' });
  });

  describe('routes', () => {
    const ROUTE = `mutation($channel: String!, $agencyCode: String, $installs: [PluginRouteInput!]!) { setPluginRoute(channel: $channel, agencyCode: $agencyCode, installs: $installs) { ${ROUTE_FIELDS} } }`;

    it('lists the routes', async () => {
      const { result, out, requests } = await run(['routes'], [data({ pluginRoutes: [aRoute(), aRoute({ agencyCode: 'bapenda-bdg', installId: 'inst-3', installName: 'sms-backup', priority: 1, weight: 20 })] })]);
      await expect(result).resolves.toBe(0);
      expect(requests.map((r) => r.query)).toEqual([`{ pluginRoutes { ${ROUTE_FIELDS} } }`]);
      expect(out).toEqual([
        'CHANNEL  AGENCY       PRIORITY  WEIGHT  INSTALL     PLUGIN    ID',
        'sms      (default)    0         100     sms-smpp    sms-smpp  inst-1',
        'sms      bapenda-bdg  1         20      sms-backup  sms-smpp  inst-3',
      ]);
    });

    it('sets an agency\'s route, leaving out what was not given so that the hub\'s defaults apply', async () => {
      const answer = [aRoute({ agencyCode: 'bapenda-bdg', weight: 80 }), aRoute({ agencyCode: 'bapenda-bdg', installId: 'inst-3', installName: 'sms-backup', priority: 1 })];
      const { result, out, err, requests } = await run(
        ['route', 'sms', 'sms-smpp:0:80', 'inst-3:1', '--agency', 'bapenda-bdg'],
        [installs(anInstall(), anInstall({ id: 'inst-3', name: 'sms-backup' })), data({ setPluginRoute: answer })],
      );
      await expect(result).resolves.toBe(0);
      expect(requests.map((r) => [r.query, r.variables])).toEqual([
        [LOOKUP, {}],
        [ROUTE, { channel: 'sms', agencyCode: 'bapenda-bdg', installs: [{ installId: 'inst-1', priority: 0, weight: 80 }, { installId: 'inst-3', priority: 1 }] }],
      ]);
      expect(err).toEqual(['kabar: sms messages of bapenda-bdg now go through:']);
      expect(out).toEqual([
        'CHANNEL  AGENCY       PRIORITY  WEIGHT  INSTALL     PLUGIN    ID',
        'sms      bapenda-bdg  0         80      sms-smpp    sms-smpp  inst-1',
        'sms      bapenda-bdg  1         100     sms-backup  sms-smpp  inst-3',
      ]);
    });

    it('sets the default route, and passes INVALID_ROUTE on', async () => {
      const { result, requests } = await run(['route', 'sms', 'sms-smpp'], [installs(anInstall()), hubError('INVALID_ROUTE', 'sms-smpp is not enabled')]);
      await expect(result).rejects.toThrow('INVALID_ROUTE: sms-smpp is not enabled');
      expect(requests[1]?.variables).toEqual({ channel: 'sms', agencyCode: null, installs: [{ installId: 'inst-1' }] });
    });

    it.each([
      [['route', 'sms'], 'plugins route needs CHANNEL and at least one INSTALL'],
      [['route', 'sms', 'sms-smpp:high'], '"sms-smpp:high": the priority must be a whole number; expected INSTALL[:PRIORITY[:WEIGHT]], e.g. sms-smpp:0:100'],
      [['route', 'sms', 'sms-smpp:0:-5'], '"sms-smpp:0:-5": the weight must be a whole number, 0 or more'],
      [['route', 'sms', 'sms-smpp:0:1:2'], '"sms-smpp:0:1:2": not an install'],
      [['route', 'sms', ':1'], '":1": not an install'],
    ])('refuses %j', async (args, message) => {
      const { result, requests } = await run(args);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
      await expect(result).rejects.toThrow(message);
      expect(requests).toEqual([]);
    });
  });

  it.each([
    [[], 'expected discover, list, install, approve, configure, check, enable, disable, rate-limit, uninstall, routes or route'],
    [['remove', 'sms-smpp'], 'expected discover, list'],
    [['install'], 'plugins install needs DIR|FILE.tgz'],
    [['approve'], 'plugins approve needs INSTALL'],
    [['enable', 'a', 'b'], 'plugins enable needs INSTALL'],
    [['list', 'extra'], 'plugins list takes no arguments'],
  ])('is a usage error: %j', async (args, message) => {
    const { result, requests } = await run(args);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
    await expect(result).rejects.toThrow(message);
    expect(requests).toEqual([]);
  });

  it('needs an admin token', async () => {
    const io: Io = { out: () => undefined, err: () => undefined };
    await expect(pluginsCommand(['list'], io, { KABAR_URL: 'http://127.0.0.1:9' })).rejects.toMatchObject({ code: CliErrorCode.Usage });
  });
});
