import { useState } from 'react';

import { useApi } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { actorText, detailsText } from './audit-text.js';
import { useConsole } from './Console.js';
import { MasterKeys } from './MasterKeys.js';
import { AUDIT_ACTIONS, AUDIT_INTEGRITY, AUDIT_LOG, type AuditEntry, type AuditIntegrity } from './operations.js';

/** The console's page: the hub's default, so that the same view shows here and in `kabar audit list`. */
const PAGE = 50;

interface Filter {
  readonly agencyCode: string;
  readonly action: string;
}

/**
 * The audit trail, newest first, a page at a time (older pages by `before`, the last seq shown), filtered by agency
 * and action; and a check of the whole chain against its MACs. The hub refuses a filter it does not know.
 */
export function AuditLog(): React.JSX.Element {
  const { t, lang } = useConsole();
  const { call } = useApi();
  const [draft, setDraft] = useState<Filter>({ agencyCode: '', action: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [before, setBefore] = useState<number | null>(null);
  const [integrity, setIntegrity] = useState<AuditIntegrity | null>(null);
  const action = useAction();
  const { data, error, reload } = useQuery<{ auditLog: readonly AuditEntry[] }>(AUDIT_LOG, {
    agencyCode: filter.agencyCode === '' ? null : filter.agencyCode,
    action: filter.action === '' ? null : filter.action,
    before,
    first: PAGE,
  });
  // After a refused filter the last page is another filter's: hidden, so that it is not read as this one's.
  const entries = error === null ? (data?.auditLog ?? null) : null;
  const last = entries?.at(-1);

  const show = (e: React.FormEvent): void => {
    e.preventDefault();
    setFilter({ agencyCode: draft.agencyCode.trim(), action: draft.action });
    setBefore(null);
    // The same filter again asks again: the trail grows while the tab is open.
    reload();
  };
  const check = (): void =>
    action.run(async () => {
      setIntegrity(null);
      const { auditIntegrity } = await call<{ auditIntegrity: AuditIntegrity }>(AUDIT_INTEGRITY);
      setIntegrity(auditIntegrity);
      return null;
    });

  return (
    <section>
      <p className="muted">{t('auditHelp')}</p>
      <div className="row">
        <button type="button" disabled={action.busy} onClick={check}>
          {t('checkIntegrity')}
        </button>
      </div>
      {integrity !== null && <IntegrityResult integrity={integrity} />}
      <form onSubmit={show} className="row">
        <label>
          {t('agencyCode')} <input value={draft.agencyCode} onChange={(e) => setDraft({ ...draft, agencyCode: e.target.value })} placeholder="bapenda-bdg" />
        </label>
        <label>
          {t('auditAction')}
          <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">{t('allActions')}</option>
            {AUDIT_ACTIONS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('showEntries')}</button>
      </form>
      <Outcome error={error ?? action.error} />
      {entries === null && error === null && <p className="muted">{t('loading')}</p>}
      {entries?.length === 0 && <p className="muted">{t('noEntries')}</p>}
      {entries !== null && entries.length > 0 && (
        <table className="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('auditTime')}</th>
              <th scope="col">{t('auditWho')}</th>
              <th scope="col">{t('agency')}</th>
              <th scope="col">{t('auditAction')}</th>
              <th scope="col">{t('auditTarget')}</th>
              <th scope="col">{t('auditDetails')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq} className="audit-entry" data-seq={entry.seq} data-action={entry.action}>
                <td>{entry.seq}</td>
                <td>
                  <time dateTime={entry.at} title={entry.at}>
                    {when(entry.at, lang)}
                  </time>
                </td>
                <td title={entry.actor.ip ?? undefined}>{actorText(entry.actor)}</td>
                <td>{entry.agencyCode ?? '—'}</td>
                <td>{entry.action}</td>
                <td>
                  <code>
                    {entry.targetKind}:{entry.targetId}
                  </code>
                </td>
                <td className="small">{detailsText(entry.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        {before !== null && (
          <button type="button" onClick={() => setBefore(null)}>
            {t('newest')}
          </button>
        )}
        {/* A page shorter than asked for is the oldest one. */}
        {entries !== null && last !== undefined && entries.length === PAGE && (
          <button type="button" onClick={() => setBefore(last.seq)}>
            {t('older')}
          </button>
        )}
      </div>
      <MasterKeys />
    </section>
  );
}

/** The check's outcome: the head to keep elsewhere when every entry checks out, or the first break as an alert. */
function IntegrityResult({ integrity }: { readonly integrity: AuditIntegrity }): React.JSX.Element {
  const { t } = useConsole();
  const { checked, headSeq, headMac, broken } = integrity;
  if (broken !== null) {
    const why = broken.reason === 'gap' ? t('brokenGap') : broken.reason === 'mac' ? t('brokenMac') : broken.reason === 'key' ? t('brokenKey') : broken.reason;
    return (
      <p role="alert" className="error" data-testid="audit-integrity" data-ok="false">
        {t('integrityBroken')} #{broken.seq} ({why}) · {t('checkedBefore')}: {checked}
      </p>
    );
  }
  return (
    <p role="status" className="notice" data-testid="audit-integrity" data-ok="true">
      {headSeq === null ? (
        t('integrityEmpty')
      ) : (
        <>
          {t('integrityOk')} · {t('entriesChecked')}: {checked} · {t('head')}: #{headSeq} <code>{headMac}</code>
        </>
      )}
    </p>
  );
}
