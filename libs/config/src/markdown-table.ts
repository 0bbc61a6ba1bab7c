import { VARIABLES, type VariableSpec } from './variables.js';

/** The README's configuration table, generated so the two never drift (a test compares them). */
export function configurationTable(): string {
  const shown = (v: VariableSpec): string => {
    if (v.defaultValue === undefined) return '—';
    return v.defaultValue === '' ? '(empty)' : `\`${v.defaultValue}\``;
  };
  const rows = Object.values(VARIABLES).map((v: VariableSpec) => `| \`${v.name}\` | ${shown(v)} | ${v.description} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
