import { afterEach, describe, expect, it } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { anInstall, aRoute, data, hubError, INSTALL_FIELDS, installs, LOOKUP, pluginsAgainstFakeHub, ROUTE_FIELDS, TOKEN } from './support/fake-plugin-hub.js';

// Install names (one plugin installed twice, e.g. once per SMS contract) and rate limits, against a fake hub that
// answers scripted bodies; plugins.int.test.ts runs the same against a real hub.

const INSTALL = `mutation($source: String!, $integrity: String, $name: String) { installPlugin(source: $source, integrity: $integrity, name: $name) { ${INSTALL_FIELDS} } }`;
const RATE_LIMIT = `mutation($id: ID!, $perSecond: Int) { setPluginRateLimit(id: $id, perSecond: $perSecond) { ${INSTALL_FIELDS} } }`;

/** The SMS plugin installed twice, once per operator contract. */
const tsel = anInstall({ id: 'inst-1', name: 'sms-tsel' });
const isat = anInstall({ id: 'inst-2', name: 'sms-isat' });

describe('kabar plugins: install names and rate limits', () => {
  const cli = pluginsAgainstFakeHub();
  const run = cli.run;

  afterEach(async () => {
    await cli.close();
  });

  describe('install --name', () => {
    it('sends the name, and names the install by it in what it prints', async () => {
      const tarball = '/srv/incoming/kabar-plugin-sms-smpp-0.1.0.tgz';
      const { result, out, err, requests } = await run(['install', tarball, '--name', 'sms-isat'], [data({ installPlugin: { ...isat, approved: false, source: tarball } })]);
      await expect(result).resolves.toBe(0);
      expect(requests).toEqual([{ authorization: `Bearer ${TOKEN}`, query: INSTALL, variables: { source: tarball, integrity: null, name: 'sms-isat' } }]);
      expect(out[0]).toBe(`installed sms-isat (sms-smpp 0.1.0, sms, id inst-2) from ${tarball}`);
      expect(err).toEqual(['kabar: record the integrity (pass it as --integrity to install this exact package elsewhere); next, after review: kabar plugins approve sms-isat']);
    });

    it.each([
      ['SMS_Isat', 'INVALID_PLUGIN_NAME', 'install names are 2–64 lower-case letters, digits and dashes, starting with a letter (got "SMS_Isat")'],
      ['sms-tsel', 'PLUGIN_ALREADY_INSTALLED', 'an install named sms-tsel exists already: uninstall it first, or give this one another name'],
    ])('passes on the hub\'s refusal of --name %s (exit 1, %s)', async (name, code, message) => {
      const { result, out } = await run(['install', '/srv/plugins/sms-smpp', '--name', name], [hubError(code, message)]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `${code}: ${message}` });
      expect(out).toEqual([]);
    });

    it('is a usage error without a value', async () => {
      const { result, requests } = await run(['install', '/srv/plugins/sms-smpp', '--name']);
      await expect(result).rejects.toThrow("Option '--name <value>' argument missing");
      expect(requests).toEqual([]);
    });
  });

  describe('finding an install', () => {
    it('finds one of two installs of a plugin by its name, and acts on its id', async () => {
      const { result, out, err, requests } = await run(['approve', 'sms-isat'], [installs(tsel, isat), data({ install: isat })]);
      await expect(result).resolves.toBe(0);
      expect(requests.map((r) => [r.query, r.variables])).toEqual([
        [LOOKUP, {}],
        [`mutation($id: ID!) { install: approvePlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id: 'inst-2' }],
      ]);
      expect(out).toEqual(['approved sms-isat (sms-smpp 0.1.0, sms, id inst-2)']);
      expect(err).toEqual(['kabar: next, configure it: kabar plugins configure sms-isat --config-file FILE']);
    });

    it('takes a route\'s installs by name', async () => {
      const answer = [aRoute({ installName: 'sms-tsel' }), aRoute({ installId: 'inst-2', installName: 'sms-isat', priority: 1 })];
      const { result, requests } = await run(['route', 'sms', 'sms-tsel', 'sms-isat:1'], [installs(tsel, isat), data({ setPluginRoute: answer })]);
      await expect(result).resolves.toBe(0);
      expect(requests[1]?.variables).toEqual({ channel: 'sms', agencyCode: null, installs: [{ installId: 'inst-1' }, { installId: 'inst-2', priority: 1 }] });
    });

    it('refuses a plugin id that names no install, listing the names of its installs, and sends nothing more', async () => {
      const { result, requests } = await run(['enable', 'sms-smpp'], [installs(tsel, isat)]);
      await expect(result).rejects.toMatchObject({
        code: CliErrorCode.Failed,
        message: 'no plugin install named "sms-smpp": the sms-smpp plugin is installed as sms-tsel, sms-isat; give one of those names',
      });
      expect(requests).toHaveLength(1);
    });
  });

  describe('rate-limit', () => {
    it('caps an install found by name', async () => {
      const { result, out, requests } = await run(['rate-limit', 'sms-tsel', '50'], [installs(tsel, isat), data({ setPluginRateLimit: { ...tsel, ratePerSecond: 50 } })]);
      await expect(result).resolves.toBe(0);
      expect(requests.map((r) => [r.query, r.variables])).toEqual([
        [LOOKUP, {}],
        [RATE_LIMIT, { id: 'inst-1', perSecond: 50 }],
      ]);
      expect(out).toEqual(['sms-tsel (sms-smpp 0.1.0, sms, id inst-1) now sends at most 50 messages per second per hub worker']);
    });

    it('lifts the cap with none, sending null', async () => {
      const { result, out, requests } = await run(['rate-limit', 'inst-1', 'none'], [installs(tsel), data({ setPluginRateLimit: tsel })]);
      await expect(result).resolves.toBe(0);
      expect(requests[1]?.variables).toEqual({ id: 'inst-1', perSecond: null });
      expect(out).toEqual(['sms-tsel (sms-smpp 0.1.0, sms, id inst-1) now has no rate limit']);
    });

    it('prints the hub\'s answer with --json', async () => {
      const { result, out } = await run(['rate-limit', 'sms-tsel', '5', '--json'], [installs(tsel), data({ setPluginRateLimit: { ...tsel, ratePerSecond: 5 } })]);
      await expect(result).resolves.toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual({ ...tsel, ratePerSecond: 5 });
    });

    it('passes on the hub\'s INVALID_RATE_LIMIT (exit 1)', async () => {
      const message = 'a rate limit is a whole number of messages per second from 1 to 100000, or null for none';
      const { result } = await run(['rate-limit', 'sms-tsel', '200000'], [installs(tsel), hubError('INVALID_RATE_LIMIT', message)]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `INVALID_RATE_LIMIT: ${message}` });
    });

    const notARate = 'is not a rate limit: give a whole number of messages per second, 1 or more, or none to lift the limit';
    it.each([
      [['rate-limit', 'sms-tsel', '0'], `"0" ${notARate}`],
      [['rate-limit', 'sms-tsel', '2.5'], `"2.5" ${notARate}`],
      [['rate-limit', 'sms-tsel', '1e3'], `"1e3" ${notARate}`],
      [['rate-limit', 'sms-tsel', 'fast'], `"fast" ${notARate}`],
      [['rate-limit', 'sms-tsel', 'None'], `"None" ${notARate}`],
      [['rate-limit', 'sms-tsel', ''], `"" ${notARate}`],
      [['rate-limit', 'sms-tsel', '--', '-5'], `"-5" ${notARate}`],
      [['rate-limit', 'sms-tsel', '99999999999'], '"99999999999" is not a rate limit: too many messages per second'],
      [['rate-limit', 'sms-tsel'], 'plugins rate-limit needs INSTALL N|none'],
      [['rate-limit', 'sms-tsel', '5', '6'], 'plugins rate-limit needs INSTALL N|none'],
    ])('refuses %j before asking the hub (exit 2)', async (args, message) => {
      const { result, requests } = await run(args);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
      await expect(result).rejects.toThrow(message);
      expect(requests).toEqual([]);
    });
  });

  it('lists each install\'s name and rate limit', async () => {
    const { result, out } = await run(['list'], [data({ pluginInstalls: [{ ...tsel, ratePerSecond: 50 }, isat, anInstall({ id: 'inst-3', name: 'email-smtp', pluginId: 'email-smtp', channel: 'email', ratePerSecond: 12 })] })]);
    await expect(result).resolves.toBe(0);
    expect(out).toEqual([
      'ID      NAME        PLUGIN      CHANNEL  VERSION  APPROVED  CONFIGURED  ENABLED  RATE  CIRCUIT  CHECK',
      'inst-1  sms-tsel    sms-smpp    sms      0.1.0    yes       yes         no       50/s  closed   -',
      'inst-2  sms-isat    sms-smpp    sms      0.1.0    yes       yes         no       -     closed   -',
      'inst-3  email-smtp  email-smtp  email    0.1.0    yes       yes         no       12/s  closed   -',
    ]);
  });

  it('shows each route\'s install by name', async () => {
    const { result, out, requests } = await run(['routes'], [data({ pluginRoutes: [aRoute({ installName: 'sms-tsel', weight: 80 }), aRoute({ installId: 'inst-2', installName: 'sms-isat', weight: 20 })] })]);
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => r.query)).toEqual([`{ pluginRoutes { ${ROUTE_FIELDS} } }`]);
    expect(out).toEqual([
      'CHANNEL  AGENCY     PRIORITY  WEIGHT  INSTALL   PLUGIN    ID',
      'sms      (default)  0         80      sms-tsel  sms-smpp  inst-1',
      'sms      (default)  0         20      sms-isat  sms-smpp  inst-2',
    ]);
  });
});
