import { useConsole } from './Console.js';

/** A choice among agencies by name, their code as the value; `blank` (e.g. "every agency", "none") adds an empty first option. */
export function AgencySelect({
  label,
  value,
  agencies,
  blank,
  onChange,
}: {
  readonly label: string;
  readonly value: string;
  readonly agencies: readonly { readonly code: string; readonly name: string }[];
  readonly blank?: 'none' | 'everyAgency';
  readonly onChange: (code: string) => void;
}): React.JSX.Element {
  const { t } = useConsole();
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {blank !== undefined && <option value="">{t(blank)}</option>}
        {agencies.map((a) => (
          <option key={a.code} value={a.code}>
            {a.name}
          </option>
        ))}
      </select>
    </label>
  );
}
