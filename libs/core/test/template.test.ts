import { checkTemplate, TemplateRenderer } from '@kabar/core';
import { describe, expect, it, vi } from 'vitest';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    amount: { type: 'number' },
    dueDate: { type: 'string', format: 'date' },
    items: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' } } } },
    office: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

describe('checkTemplate', () => {
  it.each([
    ['Halo {{name}}, pajak Rp{{formatNumber amount}} jatuh tempo {{formatDate dueDate}}.'],
    ['{{#if name}}Halo {{name}}{{else}}Halo{{/if}}'],
    ['{{#each items}}- {{label}}\n{{/each}}'],
    ['{{#with office}}Kantor {{city}}{{/with}}'],
    ['{{office.city}} {{upper name}}'],
  ])('accepts %j', (source) => {
    expect(checkTemplate('body', source, schema)).toEqual([]);
  });

  it.each([
    ['Halo {{nmae}}', '"nmae" is not a field of the event type\'s data schema'],
    ['{{office.street}}', '"office.street" is not a field of the event type\'s data schema'],
    ['{{shout name}}', 'unknown helper "shout"'],
    ['{{#repeat name}}x{{/repeat}}', 'unknown helper "repeat"'],
    ['{{#each items}}{{colour}}{{/each}}', '"colour" is not a field of the event type\'s data schema'],
    ['{{> header}}', 'partials and decorators are not allowed'],
  ])('rejects %j', (source, message) => {
    expect(checkTemplate('body', source, schema)).toContainEqual({ field: 'body', message });
  });

  it('reports a syntax error with its field', () => {
    const [problem] = checkTemplate('subject', 'Halo {{name', schema);
    expect(problem?.field).toBe('subject');
    expect(problem?.message).toMatch(/^does not parse: /);
  });
});

describe('TemplateRenderer', () => {
  const renderer = new TemplateRenderer();

  it('renders text without HTML escaping and HTML with it', () => {
    const out = renderer.render(
      { subject: 'Tagihan {{name}}', body: 'A & B: {{name}}', html: '<p>{{name}}</p>' },
      { name: 'Budi <Santoso> & Co' },
      'id',
      'v1',
    );
    expect(out).toEqual({ subject: 'Tagihan Budi <Santoso> & Co', body: 'A & B: Budi <Santoso> & Co', html: '<p>Budi &lt;Santoso&gt; &amp; Co</p>' });
  });

  it('formats numbers and dates for the locale', () => {
    const template = { subject: null, body: '{{formatNumber amount}} / {{formatDate dueDate}}', html: null };
    expect(renderer.render(template, { amount: 1250000, dueDate: '2026-12-31' }, 'id', 'fmt').body).toBe('1.250.000 / 31 Desember 2026');
    expect(renderer.render(template, { amount: 1250000, dueDate: '2026-12-31' }, 'en', 'fmt').body).toBe('1,250,000 / 31 December 2026');
    // The formatters are made once per locale: going back to Indonesian does not keep the English one.
    expect(renderer.render(template, { amount: 980000, dueDate: '2027-01-15' }, 'id', 'fmt').body).toBe('980.000 / 15 Januari 2027');
  });

  it('makes its Intl formatters once, not once a message (a formatter costs a hundred times a format)', () => {
    const numberFormats = vi.spyOn(Intl, 'NumberFormat');
    const dateFormats = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      const fresh = new TemplateRenderer();
      const made = numberFormats.mock.calls.length + dateFormats.mock.calls.length;
      const template = { subject: null, body: '{{formatNumber amount}} / {{formatDate dueDate}}', html: null };
      for (let i = 0; i < 20; i++) fresh.render(template, { amount: i, dueDate: '2026-12-31' }, i % 2 === 0 ? 'id' : 'en', 'once');
      expect(numberFormats.mock.calls.length + dateFormats.mock.calls.length).toBe(made);
    } finally {
      numberFormats.mockRestore();
      dateFormats.mockRestore();
    }
  });

  it('formats an instant as a date in the renderer’s time zone', () => {
    const template = { subject: null, body: '{{formatDate at}}', html: null };
    const lateEvening = { at: '2026-12-31T20:00:00Z' };
    expect(renderer.render(template, lateEvening, 'en', 'tz').body).toBe('1 January 2027');
    expect(new TemplateRenderer('UTC').render(template, lateEvening, 'en', 'tz').body).toBe('31 December 2026');
  });

  it('fails on a missing field instead of sending an empty gap', () => {
    expect(() => renderer.render({ subject: null, body: 'Halo {{name}}', html: null }, {}, 'id', 'strict')).toThrow(/"name" not defined/);
  });
});
