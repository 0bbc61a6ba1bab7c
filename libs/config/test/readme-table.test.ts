import { readFileSync } from 'node:fs';

import { configurationTable } from '@kabar/config';
import { describe, expect, it } from 'vitest';

describe('README configuration table', () => {
  it('is the table generated from the variable specs (regenerate with `npm run kabar -- config --markdown`)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configurationTable());
  });
});
