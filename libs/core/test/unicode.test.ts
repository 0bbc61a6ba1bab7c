import { storableJson, unpairedSurrogate, unstorableText, unstorableTextIn } from '@kabar/core';
import { describe, expect, it } from 'vitest';

describe('unpaired surrogates (half a character)', () => {
  it.each([
    ['a high half at the end', 'Lampu \ud83d', 'U+D83D'],
    ['a low half at the start', '\udc4d ok', 'U+DC4D'],
    ['a high half before another high half', '\ud83d\ud83d\udc4d', 'U+D83D'],
    ['two low halves after a pair', '\ud83d\udc4d\udc4d', 'U+DC4D'],
  ])('finds %s', (_name, text, half) => {
    expect(unpairedSurrogate(text)).toBe(half);
  });

  it.each([['plain text', 'Pengingat PBB'], ['whole characters beyond the BMP', 'Lampu \u{1F4A1} \u{1F44D}\u{1F3FD}'], ['nothing', ''], ['U+FFFD itself', '\ufffd']])(
    'finds none in %s',
    (_name, text) => {
      expect(unpairedSurrogate(text)).toBeUndefined();
    },
  );

  it('says what no column can store: U+0000 first, then half a character', () => {
    expect(unstorableText('a\u0000\ud83d')).toBe('the character U+0000 (NUL)');
    expect(unstorableText('a\ud83d')).toBe('half a character (an unpaired surrogate, U+D83D)');
    expect(unstorableText('a\u0001 \u{1F44D}')).toBeUndefined();
  });

  it('names the path of the first string holding one, in arrays and objects, and the parent of a key holding one', () => {
    expect(unstorableTextIn({ input: { name: 'ok', sources: ['/a', '/b\ud800'] } }, 'variables')).toEqual({ path: 'variables.input.sources[1]', problem: 'half a character (an unpaired surrogate, U+D800)' });
    expect(unstorableTextIn({ input: { ['x\udfff']: 1 } }, 'variables')).toEqual({ path: 'variables.input', problem: 'half a character (an unpaired surrogate, U+DFFF)' });
    expect(unstorableTextIn({ input: [{ note: 'a\u0000' }] }, 'variables')).toEqual({ path: 'variables.input[0].note', problem: 'the character U+0000 (NUL)' });
    expect(unstorableTextIn({ n: 1, b: true, z: null, list: [{ t: '\u{1F600}' }] }, 'variables')).toBeUndefined();
  });

  it('walks hostile nesting without overflowing the stack', () => {
    let deep: unknown = 'end \ud83d';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableTextIn(deep, 'v')?.problem).toBe('half a character (an unpaired surrogate, U+D83D)');
  });

  it('writes JSON with U+FFFD for U+0000 and each half, leaving whole characters and escaped backslashes as they were', () => {
    const text = storableJson({ ['k\u0000']: ['Lampu \ud83d', 'C:\\ud800', 'both \\\udc4d', '\u{1F44D}', 'tab\t'] });
    expect(JSON.parse(text)).toEqual({ ['k\ufffd']: ['Lampu \ufffd', 'C:\\ud800', 'both \\\ufffd', '\u{1F44D}', 'tab\t'] });
    expect(storableJson(undefined)).toBe('null');
    expect(storableJson({ plain: 'Pengingat' })).toBe('{"plain":"Pengingat"}');
  });
});
