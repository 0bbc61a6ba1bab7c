import { afterEach, describe, expect, it } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { actorText, auditCommand, type AuditEntryView, auditRow, detailsText, integrityText } from '../src/commands/audit.js';
import type { Io } from '../src/output.js';
import { type FakeGraphqlHub, startFakeGraphqlHub } from './support/fake-graphql-hub.js';

// The unit is the command; a fake hub (a real HTTP server) answers scripted bodies, so the tests see the exact
// operation and variables `kabar audit` sends. admin-agencies-keys.int.test.ts runs it against a real hub.

const TOKEN = 'adm_test0000test.secret';
const LOG = 'query($agencyCode: String, $action: String, $before: Int, $first: Int!) { auditLog(agencyCode: $agencyCode, action: $action, before: $before, first: $first) { seq at action actor { kind id name keyId ip } agencyCode targetKind targetId details mac } }';
const INTEGRITY = 'query($headSeq: Int, $headMac: String) { auditIntegrity(headSeq: $headSeq, headMac: $headMac) { checked headSeq headMac broken { seq reason } } }';

const data = (value: Record<string, unknown>): unknown => ({ data: value });
const hubError = (code: string, message: string): unknown => ({ data: null, errors: [{ message, extensions: { code } }] });

/** An admin issuing a key to Bapenda, as the hub shows it; `fields` changes some. */
const anEntry = (fields: Partial<AuditEntryView> = {}): AuditEntryView => ({
  seq: 42,
  at: '2026-12-02T07:30:00.000Z',
  action: 'api_key.issued',
  actor: { kind: 'admin', id: 'adm_Ops000000001', name: 'Ops Bandung', keyId: null, ip: '10.0.0.7' },
  agencyCode: 'bapenda-bdg',
  targetKind: 'api_key',
  targetId: 'live_AbCdEfGhIjKl',
  details: { name: 'tax backend', kind: 'live' },
  mac: 'hmac-sha256:q83vEjRWeJA=',
  ...fields,
});

interface AuditRun {
  /** Settled already: assert on it with `resolves` / `rejects`. */
  readonly result: Promise<number>;
  readonly out: string[];
  readonly err: string[];
  readonly requests: { authorization: string | undefined; query: string; variables: Record<string, unknown> }[];
}

describe('kabar audit', () => {
  let hub: FakeGraphqlHub | undefined;

  /** Runs `kabar audit …` against a fresh fake hub that answers the n-th request with `answers[n]`. */
  const run = async (args: readonly string[], answers: readonly unknown[] = []): Promise<AuditRun> => {
    await hub?.close();
    hub = await startFakeGraphqlHub((_request, n) => answers[n] ?? { errors: [{ message: 'unexpected request', extensions: { code: 'TEST' } }] });
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const result = auditCommand(args, io, { KABAR_URL: hub.url, KABAR_TOKEN: TOKEN });
    // Settled here so that a rejection is asserted by the test, never reported as unhandled.
    await result.catch(() => undefined);
    return { result, out, err, requests: hub.requests.map((r) => ({ authorization: r.authorization, query: r.body.query, variables: r.body.variables })) };
  };

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  describe('list', () => {
    it('prints one line per entry, newest first: seq, time, who, agency, action, target and details', async () => {
      const page = [
        anEntry(),
        anEntry({
          seq: 41,
          at: '2026-12-02T07:29:00.000Z',
          action: 'complaint.answered',
          actor: { kind: 'agency', id: 'f0c1a2b3', name: 'lapor-bdg', keyId: 'live_ZyXwVuTsRqPo', ip: '10.0.0.9' },
          agencyCode: 'lapor-bdg',
          targetKind: 'complaint',
          targetId: 'c-17',
          details: {},
        }),
        anEntry({ seq: 40, action: 'plugin.route_set', actor: { kind: 'system', id: 'cli', name: null, keyId: null, ip: null }, agencyCode: null, targetKind: 'plugin_route', targetId: 'sms', details: { installs: ['sms-tsel', 'sms-isat'] } }),
      ];
      const { result, out, err, requests } = await run(['list'], [data({ auditLog: page })]);
      await expect(result).resolves.toBe(0);
      expect(requests).toEqual([{ authorization: `Bearer ${TOKEN}`, query: LOG, variables: { agencyCode: null, action: null, before: null, first: 50 } }]);
      expect(out).toEqual([
        'SEQ  AT                        ACTOR                                     AGENCY       ACTION              TARGET                     DETAILS',
        '42   2026-12-02T07:30:00.000Z  admin Ops Bandung                         bapenda-bdg  api_key.issued      api_key:live_AbCdEfGhIjKl  name="tax backend" kind=live',
        '41   2026-12-02T07:29:00.000Z  agency lapor-bdg (key live_ZyXwVuTsRqPo)  lapor-bdg    complaint.answered  complaint:c-17             -',
        '40   2026-12-02T07:30:00.000Z  system cli                                -            plugin.route_set    plugin_route:sms           installs=sms-tsel,sms-isat',
      ]);
      expect(err).toEqual([]);
    });

    it('sends the filters and the page as variables, and names the command for the next page when this one is full', async () => {
      const page = [anEntry({ seq: 12 }), anEntry({ seq: 9 })];
      const { result, out, err, requests } = await run(['list', '--agency', 'bapenda-bdg', '--action', 'api_key.issued', '--before', '13', '--first', '2'], [data({ auditLog: page })]);
      await expect(result).resolves.toBe(0);
      expect(requests[0]?.variables).toEqual({ agencyCode: 'bapenda-bdg', action: 'api_key.issued', before: 13, first: 2 });
      expect(out).toHaveLength(3);
      expect(err).toEqual(['kabar: older entries: kabar audit list --agency bapenda-bdg --action api_key.issued --first 2 --before 9']);
    });

    it('prints the hub\'s entries with --json, and says when there are none', async () => {
      const json = await run(['list', '--json'], [data({ auditLog: [anEntry()] })]);
      await expect(json.result).resolves.toBe(0);
      expect(JSON.parse(json.out.join('\n'))).toEqual([anEntry()]);
      expect(json.err).toEqual([]);
      const empty = await run(['list'], [data({ auditLog: [] })]);
      expect(empty.out).toEqual(['SEQ  AT  ACTOR  AGENCY  ACTION  TARGET  DETAILS']);
      expect(empty.err).toEqual(['kabar: no audit entries yet']);
      const none = await run(['list', '--action', 'plugin.approved'], [data({ auditLog: [] })]);
      expect(none.err).toEqual(['kabar: no audit entries match']);
    });

    it.each([
      ['AUDIT_FILTER_INVALID', 'no audit action plugin.exploded'],
      ['AGENCY_NOT_FOUND', 'no agency nobody'],
    ])('passes on the hub\'s refusal of a filter (exit 1, %s)', async (code, message) => {
      const { result, out } = await run(['list', '--action', 'plugin.exploded'], [hubError(code, message)]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `${code}: ${message}` });
      expect(out).toEqual([]);
    });

    it.each([
      [['--first', '0'], '--first must be a whole number from 1 to 200, got "0"'],
      [['--first', '500'], '--first must be a whole number from 1 to 200, got "500"'],
      [['--before', 'latest'], '--before must be a whole number from 1 to 2147483647, got "latest"'],
      [['--before', '0'], '--before must be a whole number from 1 to 2147483647, got "0"'],
      [['--before', '1.5'], '--before must be a whole number from 1 to 2147483647, got "1.5"'],
      [['extra'], 'audit list takes no arguments'],
    ])('refuses %j before calling the hub (exit 2)', async (args, message) => {
      const { result, requests } = await run(['list', ...args]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
      await expect(result).rejects.toThrow(message);
      expect(requests).toEqual([]);
    });
  });

  describe('verify', () => {
    it('prints the head to keep when every entry checks out (exit 0)', async () => {
      const { result, out, requests } = await run(['verify'], [data({ auditIntegrity: { checked: 42, headSeq: 42, headMac: 'hmac-sha256:q83vEjRWeJA=', broken: null } })]);
      await expect(result).resolves.toBe(0);
      expect(requests).toEqual([{ authorization: `Bearer ${TOKEN}`, query: INTEGRITY, variables: { headSeq: null, headMac: null } }]);
      expect(out).toEqual(['audit trail: 42 entries check out; head 42 hmac-sha256:q83vEjRWeJA=']);
    });

    it('fails at the first broken link (exit 1), naming it and what checks out before it', async () => {
      const broken = { checked: 16, headSeq: 16, headMac: 'hmac-sha256:AAAA', broken: { seq: 17, reason: 'mac' } };
      const { result, out } = await run(['verify'], [data({ auditIntegrity: broken })]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'audit trail broken at 17 (mac): 16 entries check out before it' });
      expect(out).toEqual([]);
      // With --json the hub's answer is printed first, and the exit code still tells a script.
      const json = await run(['verify', '--json'], [data({ auditIntegrity: broken })]);
      await expect(json.result).rejects.toMatchObject({ code: CliErrorCode.Failed });
      expect(JSON.parse(json.out.join('\n'))).toEqual(broken);
    });

    it('checks the chain against a head kept elsewhere, and fails when the trail was cut short before it', async () => {
      const cut = { checked: 40, headSeq: 40, headMac: 'hmac-sha256:BBBB', broken: { seq: 41, reason: 'cut' } };
      const { result, requests } = await run(['verify', '--head', '42:hmac-sha256:q83vEjRWeJA='], [data({ auditIntegrity: cut })]);
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: 'audit trail broken at 41 (cut): 40 entries check out before it' });
      expect(requests[0]?.variables).toEqual({ headSeq: 42, headMac: 'hmac-sha256:q83vEjRWeJA=' });
      for (const head of ['42', '0:m', 'x:m', '42:']) {
        const bad = await run(['verify', '--head', head]);
        await expect(bad.result).rejects.toMatchObject({ code: CliErrorCode.Usage, message: `--head must be SEQ:MAC as verify prints them, got "${head}"` });
        expect(bad.requests).toEqual([]);
      }
    });

    it('refuses arguments, and an unknown action names the two it has (exit 2)', async () => {
      await expect((await run(['verify', 'now'])).result).rejects.toMatchObject({ code: CliErrorCode.Usage, message: expect.stringMatching(/^audit verify takes no arguments/) as unknown });
      await expect((await run(['tail'])).result).rejects.toMatchObject({ code: CliErrorCode.Usage, message: expect.stringMatching(/^expected list or verify/) as unknown });
    });
  });

  describe('the words', () => {
    it('quotes detail values that would not split back out of the line, and joins lists with commas', () => {
      expect(detailsText({ count: 3, dryRun: false, callbackUrl: null, to: '', keyword: 'PAJAK', note: 'a=b', sources: ['/pbb', 'has space'], empty: [] })).toBe(
        'count=3 dryRun=false callbackUrl=null to="" keyword=PAJAK note="a=b" sources=/pbb,"has space" empty=[]',
      );
      expect(detailsText({})).toBe('-');
      expect(detailsText({ limits: { perSecond: 50 } })).toBe('limits={"perSecond":50}');
    });

    it('names the actor by name, else by id, with the key an agency system used', () => {
      expect(actorText({ kind: 'admin', id: 'adm_Ops000000001', name: null, keyId: null, ip: null })).toBe('admin adm_Ops000000001');
      expect(actorText({ kind: 'agency', id: 'f0c1a2b3', name: 'lapor-bdg', keyId: 'test_ZyXwVuTsRqPo', ip: null })).toBe('agency lapor-bdg (key test_ZyXwVuTsRqPo)');
      expect(auditRow(anEntry({ agencyCode: null }))[3]).toBe('-');
    });

    it('counts in words: one entry, no entries', () => {
      expect(integrityText({ checked: 1, headSeq: 1, headMac: 'm1', broken: null })).toEqual({ ok: true, text: 'audit trail: 1 entry checks out; head 1 m1' });
      expect(integrityText({ checked: 0, headSeq: null, headMac: null, broken: null })).toEqual({ ok: true, text: 'audit trail: no entries yet, nothing to check' });
      expect(integrityText({ checked: 0, headSeq: null, headMac: null, broken: { seq: 1, reason: 'gap' } })).toEqual({ ok: false, text: 'audit trail broken at 1 (gap): 0 entries check out before it' });
    });
  });
});
