import { decodeGsm7, encodeGsm7, encodeSms } from '@kabar/plugin-sms-smpp';
import { describe, expect, it } from 'vitest';

const udh = (reference: number, total: number, sequence: number): number[] => [0x05, 0x00, 0x03, reference, total, sequence];

describe('encodeGsm7', () => {
  it.each([
    ['Pajak Anda Rp1.250.000 jatuh tempo', 34],
    ['@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ', 31],
    ['€', 2],
    ['[', 2],
    ['{a}|~^\\]\f', 17],
  ])('encodes %j in %i septets', (text, septets) => {
    expect(encodeGsm7(text)).toHaveLength(septets);
  });

  it('writes extension characters as ESC + code, and basic ones at their table index', () => {
    expect([...(encodeGsm7('A@€[Δ') ?? [])]).toEqual([0x41, 0x00, 0x1b, 0x65, 0x1b, 0x3c, 0x10]);
  });

  it.each(['Terima kasih 🙏', 'ç', 'Pajak – lunas', '“kutip”', 'ı', '\t'])('refuses %j, which GSM 03.38 cannot carry', (text) => {
    expect(encodeGsm7(text)).toBeUndefined();
  });

  it('decodes what it encodes', () => {
    const text = 'Tagihan PBB [2025]: Rp 1.250.000 {lunas} ~ €5 | Ä ö ñ ü à @ £';
    expect(decodeGsm7(encodeGsm7(text) ?? Buffer.alloc(0))).toBe(text);
  });
});

describe('encodeSms', () => {
  it.each([
    ['GSM, 1 char', 0, 1, 'A'],
    ['GSM, notice', 0, 1, 'Pajak Anda Rp1.250.000 jatuh tempo'],
    ['GSM, exactly 160', 0, 1, 'a'.repeat(160)],
    ['GSM, 161', 0, 2, 'a'.repeat(161)],
    ['GSM, 200', 0, 2, 'b'.repeat(200)],
    ['GSM, 306 = 2 × 153', 0, 2, 'c'.repeat(306)],
    ['GSM, 307', 0, 3, 'c'.repeat(307)],
    ['GSM, 80 € = 160 septets', 0, 1, '€'.repeat(80)],
    ['GSM, 81 € = 162 septets', 0, 2, '€'.repeat(81)],
    ['UCS-2, emoji', 8, 1, 'Terima kasih, pembayaran PBB Anda sudah kami terima 🙏'],
    ['UCS-2, exactly 70', 8, 1, 'ç'.repeat(70)],
    ['UCS-2, 71', 8, 2, 'ç'.repeat(71)],
    ['UCS-2, 134 = 2 × 67', 8, 2, 'ç'.repeat(134)],
    ['UCS-2, 135', 8, 3, 'ç'.repeat(135)],
  ])('%s → data_coding %i in %i part(s)', (_label, dataCoding, parts, text) => {
    const encoded = encodeSms(text, 7);
    expect(encoded.dataCoding).toBe(dataCoding);
    expect(encoded.parts).toHaveLength(parts);
    expect(encoded.esmClass).toBe(parts === 1 ? 0 : 0x40);
  });

  it('sends a single GSM part as bare septets, without a UDH', () => {
    const { parts } = encodeSms('Pajak Anda Rp1.250.000 jatuh tempo', 7);
    expect(parts[0]).toEqual(Buffer.from('Pajak Anda Rp1.250.000 jatuh tempo', 'ascii'));
  });

  it('splits 200 GSM characters as 153 + 47 septets, each behind a concatenation UDH with one reference', () => {
    const text = 'x'.repeat(200);
    const { parts } = encodeSms(text, 0xa7);
    expect(parts.map((p) => [...p.subarray(0, 6)])).toEqual([udh(0xa7, 2, 1), udh(0xa7, 2, 2)]);
    expect(parts.map((p) => p.length - 6)).toEqual([153, 47]);
    expect(parts.map((p) => decodeGsm7(p.subarray(6))).join('')).toBe(text);
  });

  it('keeps an escape with its code at a part boundary', () => {
    const text = `${'a'.repeat(152)}€${'b'.repeat(10)}`;
    const { parts } = encodeSms(text, 1);
    expect(parts.map((p) => p.length - 6)).toEqual([152, 12]);
    expect(parts[1]?.subarray(6, 8)).toEqual(Buffer.from([0x1b, 0x65]));
  });

  it('encodes UCS-2 big-endian, and never splits an emoji surrogate pair between parts', () => {
    const text = `${'é'.repeat(66)}😀 selesai`;
    const { parts, dataCoding } = encodeSms(text, 3);
    expect(dataCoding).toBe(8);
    expect(parts[0]?.subarray(6)).toHaveLength(132);
    expect(Buffer.concat(parts.map((p) => p.subarray(6))).swap16().toString('utf16le')).toBe(text);
    expect(parts[1]?.subarray(6, 10)).toEqual(Buffer.from([0xd8, 0x3d, 0xde, 0x00]));
  });

  it('refuses a text that would need more than 255 parts', () => {
    expect(() => encodeSms('a'.repeat(153 * 255 + 1), 1)).toThrow(/256 SMS parts/);
  });
});
