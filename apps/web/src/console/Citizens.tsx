import { useState } from 'react';

import { useApi } from '../context.js';
import { Outcome, useAction } from '../load.js';
import { useConsole } from './Console.js';
import { type CsvImport, IMPORT_CSV } from './operations.js';

/**
 * Citizens from an agency register's CSV: checked on the hub first (a dry run), every problem shown by line and
 * column; only a file without problems is imported, all of it at once.
 */
export function Citizens(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [result, setResult] = useState<{ dryRun: boolean; answer: CsvImport } | null>(null);
  const action = useAction();

  const pick = (e: React.ChangeEvent<HTMLInputElement>): void => {
    const file = e.target.files?.[0];
    setResult(null);
    if (file === undefined) return;
    action.run(async () => {
      setCsv({ name: file.name, text: await file.text() });
      return null;
    });
  };

  const send = (dryRun: boolean): void => {
    if (csv === null) return;
    action.run(async () => {
      const { importCitizensCsv } = await call<{ importCitizensCsv: CsvImport }>(IMPORT_CSV, { csv: csv.text, dryRun });
      setResult({ dryRun, answer: importCitizensCsv });
      return null;
    });
  };

  const clean = result !== null && result.answer.errors.length === 0;
  return (
    <section>
      <p className="muted">{t('citizensHelp')}</p>
      <label>
        {t('csvFile')} <input type="file" accept=".csv,text/csv" onChange={pick} />
      </label>
      <div className="row">
        <button type="button" onClick={() => send(true)} disabled={csv === null || action.busy}>
          {t('checkCsv')}
        </button>
        <button type="button" onClick={() => send(false)} disabled={!clean || !result.dryRun || action.busy}>
          {t('importCsv')}
        </button>
      </div>
      <Outcome error={action.error} />
      {result !== null && (
        <div className="card import-result" data-dry-run={String(result.dryRun)}>
          <p role="status">
            {result.dryRun ? t('dryRunResult') : t('importResult')}: {result.answer.rows} {t('rowsRead')} · {result.answer.created} {t('createdCount')} · {result.answer.updated} {t('updatedCount')}
          </p>
          {result.answer.errors.length > 0 && (
            <table className="errors">
              <tbody>
                {result.answer.errors.map((e, i) => (
                  <tr key={i}>
                    <td>
                      {t('line')} {e.line}
                    </td>
                    <td>
                      <code>{e.column}</code>
                    </td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
