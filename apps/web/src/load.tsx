import { useCallback, useEffect, useState } from 'react';

import type { Variables } from './api.js';
import { useApi } from './context.js';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly reload: () => void;
}

/** Runs a query when the view opens (and on reload); a late answer for an older request is dropped. */
export function useQuery<T>(query: string, variables: Variables = {}): Loaded<T> {
  const { call, describe } = useApi();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    call<T>(query, JSON.parse(key) as Variables).then(
      (result) => {
        if (!current) return;
        setData(result);
        setError(null);
      },
      (failure: unknown) => current && setError(describe(failure)),
    );
    return () => {
      current = false;
    };
  }, [call, describe, query, key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, reload };
}

/** A form action's state: running, and the last outcome to show (an error in role=alert, a success in role=status). */
export function useAction(): { busy: boolean; error: string | null; notice: string | null; run: (action: () => Promise<string | null>) => void } {
  const { describe } = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = useCallback(
    (action: () => Promise<string | null>) => {
      setBusy(true);
      setError(null);
      setNotice(null);
      action().then(
        (done) => {
          setNotice(done);
          setBusy(false);
        },
        (failure: unknown) => {
          setError(describe(failure));
          setBusy(false);
        },
      );
    },
    [describe],
  );
  return { busy, error, notice, run };
}

export function Outcome({ error, notice }: { readonly error: string | null; readonly notice?: string | null }): React.JSX.Element | null {
  if (error !== null) return <p role="alert" className="error">{error}</p>;
  if (notice !== undefined && notice !== null) return <p role="status" className="notice">{notice}</p>;
  return null;
}

export function when(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A labelled drop-down of plain values (channels, time zones, kinds), each shown as itself. */
export function Choice({ label, value, options, onChange }: { readonly label: string; readonly value: string; readonly options: readonly string[]; readonly onChange: (value: string) => void }): React.JSX.Element {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}
