import { Outcome, useQuery } from '../load.js';
import { useConsole } from './Console.js';
import { COMPLAINT_PERFORMANCE, type ComplaintPerformance as Performance } from './operations.js';

const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);

/** How each complaint desk answered in the last 30 days: follow-up and in-time rates, as LAPOR! reports agencies. */
export function ComplaintPerformance(): React.JSX.Element {
  const { t } = useConsole();
  const { data, error } = useQuery<{ complaintPerformanceByAgency: readonly Performance[] }>(COMPLAINT_PERFORMANCE);
  const rows = data?.complaintPerformanceByAgency ?? [];
  return (
    <section className="complaint-performance">
      <h2>{t('performanceTitle')}</h2>
      <Outcome error={error} />
      {data !== null && rows.length === 0 && <p className="muted">{t('noComplaints')}</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('agency')}</th>
              <th>{t('opened')}</th>
              <th>{t('waiting')}</th>
              <th>{t('overdue')}</th>
              <th>{t('followUp')}</th>
              <th>{t('inTime')}</th>
              <th>{t('firstAnswer')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.agencyCode} className="performance" data-agency={r.agencyCode}>
                <td>{r.agencyCode}</td>
                <td>{r.opened}</td>
                <td>{r.waiting}</td>
                <td>{r.wentOverdue}</td>
                <td>{percent(r.answerRate)}</td>
                <td>{percent(r.inTimeRate)}</td>
                <td>{r.medianFirstAnswerHours === null ? '—' : `${String(r.medianFirstAnswerHours)} h`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
