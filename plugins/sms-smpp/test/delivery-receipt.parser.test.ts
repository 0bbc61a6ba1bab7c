import { parseDeliveryReceipt } from '@kabar/plugin-sms-smpp';
import { describe, expect, it } from 'vitest';

const receipt = (stat: string, id = '4e2a91c0'): string =>
  `id:${id} sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:${stat} err:000 text:Pajak Anda Rp1.250`;

describe('parseDeliveryReceipt', () => {
  it.each([
    ['DELIVRD', 'delivered'],
    ['UNDELIV', 'failed'],
    ['DELETED', 'failed'],
    ['UNKNOWN', 'failed'],
    ['EXPIRED', 'expired'],
    ['REJECTD', 'rejected'],
  ])('reads stat:%s as %s', (stat, state) => {
    expect(parseDeliveryReceipt(receipt(stat))).toEqual({ messageId: '4e2a91c0', state, stat, error: '000' });
  });

  it.each(['ENROUTE', 'ACCEPTD'])('ignores stat:%s, which is not final', (stat) => {
    expect(parseDeliveryReceipt(receipt(stat))).toBeUndefined();
  });

  it('accepts lower-case names and values, and a receipt without err or text', () => {
    expect(parseDeliveryReceipt('id:123456 sub:001 dlvrd:000 submit date:2501151030 done date:2501151031 stat:undeliv')).toEqual({
      messageId: '123456',
      state: 'failed',
      stat: 'UNDELIV',
    });
  });

  it('takes the first stat when the quoted text contains another', () => {
    expect(parseDeliveryReceipt('id:9 sub:001 dlvrd:000 submit date:2501151030 done date:2501151031 stat:EXPIRED err:001 text:stat:DELIVRD')).toMatchObject({
      state: 'expired',
      error: '001',
    });
  });

  it.each(['', 'Terima kasih, pesan Anda kami terima', 'id: stat:DELIVRD', 'id:42 sub:001 dlvrd:001'])('returns undefined for %j', (text) => {
    expect(parseDeliveryReceipt(text)).toBeUndefined();
  });
});
