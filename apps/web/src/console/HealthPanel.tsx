import { Outcome, useQuery } from '../load.js';
import { useConsole } from './Console.js';
import { HEALTH, type Health } from './operations.js';

export function HealthPanel(): React.JSX.Element {
  const { t } = useConsole();
  const { data, error } = useQuery<{ health: Health }>(HEALTH);
  if (data === null) return <Outcome error={error} notice={t('loading')} />;
  const rows: readonly [string, string][] = [
    [t('status'), data.health.status],
    [t('database'), data.health.database],
    [t('bus'), data.health.bus],
    [t('mode'), data.health.mode],
    [t('version'), data.health.version],
  ];
  return (
    <table className="health">
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
