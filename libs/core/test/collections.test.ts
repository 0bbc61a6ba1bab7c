import { appendTo } from '@kabar/core';
import { describe, expect, it } from 'vitest';

describe('appendTo', () => {
  it('groups values under their key in arrival order, creating each list once', () => {
    const groups = new Map<string, number[]>();
    for (const [key, value] of [['a', 1], ['b', 2], ['a', 3], ['a', 4]] as const) appendTo(groups, key, value);
    expect([...groups]).toEqual([['a', [1, 3, 4]], ['b', [2]]]);
  });

  it('appends to the list in place, so earlier readers of the list see later values', () => {
    const groups = new Map<string, string[]>();
    appendTo(groups, 'k', 'x');
    const list = groups.get('k');
    appendTo(groups, 'k', 'y');
    expect(list).toEqual(['x', 'y']);
  });
});
