import { randomBytes } from 'node:crypto';

import { AUDIT_GENESIS, auditConfig, auditPayload, type AuditRecord, checkAuditChain, type SealedAuditRow, SecretBox } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const box = new SecretBox({ k1: randomBytes(32), k2: randomBytes(32) }, 'k2');
const macOf = (payload: string, keyId: string): string | null => box.auditMac(payload, keyId);

const record = (n: number): AuditRecord => ({
  action: 'api_key.issued',
  actor: { kind: 'admin', id: 'adm_1', ip: '10.0.0.7' },
  agencyId: 'a7f0c2d4-0000-4000-8000-000000000001',
  target: { kind: 'api_key', id: `key_${String(n)}` },
  details: { name: `backend ${String(n)}`, kind: 'live' },
});

/** Seals records as the hub's sealer does: each MAC over the entry and the previous MAC. */
function chain(records: readonly AuditRecord[], keyId = 'k2'): SealedAuditRow[] {
  let previous = AUDIT_GENESIS;
  return records.map((r, i) => {
    const unsealed = { ...r, id: `id-${String(i)}`, at: new Date(Date.UTC(2026, 11, 2, 9, 0, i)), seq: i + 1 };
    const mac = macOf(auditPayload(unsealed, previous), keyId) ?? '';
    previous = mac;
    return { ...unsealed, keyId, mac };
  });
}

const START = { expectedSeq: 1, previousMac: AUDIT_GENESIS };

describe('audit chain', () => {
  it('checks an untouched chain, one page or several', () => {
    const rows = chain([1, 2, 3, 4, 5].map(record));
    expect(checkAuditChain(rows, START, macOf)).toEqual({ broken: null, next: { expectedSeq: 6, previousMac: rows[4]?.mac } });
    const first = checkAuditChain(rows.slice(0, 2), START, macOf);
    expect(checkAuditChain(rows.slice(2), first.next, macOf).broken).toBeNull();
  });

  it('points at an edited entry, whichever field was changed', () => {
    const rows = chain([1, 2, 3].map(record));
    const edits: ((r: SealedAuditRow) => SealedAuditRow)[] = [
      (r) => ({ ...r, details: { ...r.details, name: 'someone else' } }),
      (r) => ({ ...r, actor: { kind: 'admin', id: 'adm_2', ip: '10.0.0.7' } }),
      (r) => ({ ...r, actor: { kind: 'admin', id: 'adm_1', ip: '10.0.0.8' } }),
      (r) => ({ ...r, at: new Date(r.at.getTime() + 1) }),
      (r) => ({ ...r, agencyId: null }),
      (r) => ({ ...r, action: 'api_key.revoked' }),
      (r) => ({ ...r, target: { kind: 'api_key', id: 'key_9' } }),
    ];
    for (const edit of edits) {
      const tampered = rows.map((r) => (r.seq === 2 ? edit(r) : r));
      expect(checkAuditChain(tampered, START, macOf).broken).toEqual({ seq: 2, reason: 'mac' });
    }
  });

  it('points at a removed entry, and at a re-numbered chain that hides one', () => {
    const rows = chain([1, 2, 3, 4].map(record));
    expect(checkAuditChain([rows[0], rows[2], rows[3]].filter((r) => r !== undefined), START, macOf).broken).toEqual({ seq: 2, reason: 'gap' });
    // Closing the gap by renumbering breaks the MAC instead: the seq is part of what it covers.
    const renumbered = [rows[0], rows[2], rows[3]].filter((r) => r !== undefined).map((r, i) => ({ ...r, seq: i + 1 }));
    expect(checkAuditChain(renumbered, START, macOf).broken).toEqual({ seq: 2, reason: 'mac' });
  });

  it('reads details in any key order, as jsonb returns them', () => {
    const [row] = chain([record(1)]);
    if (row === undefined) throw new Error('no row');
    const reordered = { ...row, details: { kind: 'live', name: 'backend 1' } };
    expect(checkAuditChain([reordered], START, macOf).broken).toBeNull();
  });

  it('verifies entries sealed under an older master key, and fails those under a key the hub no longer holds', () => {
    const old = chain([record(1), record(2)], 'k1');
    expect(checkAuditChain(old, START, macOf).broken).toBeNull();
    const elsewhere = new SecretBox({ k2: randomBytes(32) }, 'k2');
    expect(elsewhere.auditMac('x', 'k1')).toBeNull();
    expect(checkAuditChain(old, START, (p, k) => elsewhere.auditMac(p, k)).broken).toEqual({ seq: 1, reason: 'key' });
  });

  it('cannot be re-sealed without the key: a chain rebuilt with another key does not check out', () => {
    const forger = new SecretBox({ k2: randomBytes(32) }, 'k2');
    let previous = AUDIT_GENESIS;
    const forged = chain([record(1)]).map((r) => {
      const mac = forger.auditMac(auditPayload({ ...r, details: { name: 'forged' } }, previous), 'k2') ?? '';
      previous = mac;
      return { ...r, details: { name: 'forged' }, mac };
    });
    expect(checkAuditChain(forged, START, macOf).broken).toEqual({ seq: 1, reason: 'mac' });
  });
});

describe('auditConfig', () => {
  it('names every field set and keeps values out where the schema marks a secret, nested ones included', () => {
    expect(
      auditConfig({ host: 'smsc.example', port: 2775, tls: true, password: 'p4ss', auth: { user: 'u', token: 't0k' }, senders: ['A', 'B'], note: null }, ['/password', '/auth/token']),
    ).toEqual({
      'config.host': 'smsc.example',
      'config.port': 2775,
      'config.tls': true,
      'config.password': '(secret)',
      'config.auth': '(secret)',
      'config.senders': '["A","B"]',
      'config.note': null,
    });
  });

  it('escapes field names the way JSON Pointers do', () => {
    expect(auditConfig({ 'a/b': 'x', 'c~d': 'y' }, ['/a~1b', '/c~0d'])).toEqual({ 'config.a/b': '(secret)', 'config.c~d': '(secret)' });
  });
});
