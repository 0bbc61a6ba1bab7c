import { AUDIT_ACTIONS as RECORDED } from '@kabar/core';
import { describe, expect, it } from 'vitest';

import { actorText, detailsText } from '../src/console/audit-text.js';
import { AUDIT_ACTIONS } from '../src/console/operations.js';

describe('the admin console, the audit tab\'s words', () => {
  it('shows details as compact k=v pairs, quoting values that would not split back out of the line', () => {
    expect(detailsText({ name: 'tax backend', kind: 'live' })).toBe('name="tax backend" kind=live');
    expect(detailsText({ rows: 2, dryRun: false, callbackUrl: null, to: '', note: 'a=b', sources: ['/pbb', 'has space'], empty: [] })).toBe(
      'rows=2 dryRun=false callbackUrl=null to="" note="a=b" sources=/pbb,"has space" empty=[]',
    );
    expect(detailsText({ limits: { perSecond: 50 } })).toBe('limits={"perSecond":50}');
    expect(detailsText({})).toBe('');
  });

  it('names who acted by name, else by id, with the key an agency system used', () => {
    expect(actorText({ kind: 'admin', id: 'adm_Ops000000001', name: 'Ops Bandung', keyId: null, ip: '10.0.0.7' })).toBe('admin Ops Bandung');
    expect(actorText({ kind: 'admin', id: 'adm_Ops000000001', name: null, keyId: null, ip: null })).toBe('admin adm_Ops000000001');
    expect(actorText({ kind: 'agency', id: 'f0c1a2b3', name: 'lapor-bdg', keyId: 'live_ZyXwVuTsRqPo', ip: null })).toBe('agency lapor-bdg (key live_ZyXwVuTsRqPo)');
    expect(actorText({ kind: 'system', id: 'cli', name: null, keyId: null, ip: null })).toBe('system cli');
  });

  it('offers as filters exactly the actions the hub records (the browser bundle cannot import libs/core)', () => {
    expect([...AUDIT_ACTIONS]).toEqual([...RECORDED]);
  });
});
