import { useState } from 'react';

import { useSession } from '../context.js';
import { Outcome, useAction } from '../load.js';
import { ANSWER_SURVEY, type InboxSurvey } from '../operations.js';

/**
 * A survey beside its inbox message: the question it waits for as buttons (choices, scores) or a text box, one at a
 * time, as the hub's skip logic leads; thanks at the end.
 */
export function Survey({ survey, onChange }: { readonly survey: InboxSurvey; readonly onChange: (next: InboxSurvey) => void }): React.JSX.Element {
  const { t, call } = useSession();
  const action = useAction();
  const [text, setText] = useState('');
  const q = survey.question;

  const send = (answer: string): void => {
    if (q === null) return;
    action.run(async () => {
      const { answerSurvey } = await call<{ answerSurvey: InboxSurvey }>(ANSWER_SURVEY, { n: survey.notificationId, q: q.id, a: answer });
      setText('');
      onChange(answerSurvey);
      return null;
    });
  };

  const scores = q?.kind === 'rating' && q.min !== null && q.max !== null ? Array.from({ length: q.max - q.min + 1 }, (_, i) => String((q.min ?? 0) + i)) : [];
  return (
    <div className="survey" data-testid={`survey-${survey.notificationId}`}>
      <h3>{survey.title}</h3>
      {survey.state === 'completed' && <p className="notice">{t('surveyThanks')}</p>}
      {(survey.state === 'abandoned' || survey.state === 'expired') && <p className="muted">{t('surveyClosed')}</p>}
      {survey.state === 'open' && q !== null && (
        <>
          <p>{q.text}</p>
          <div className="row">
            {q.kind === 'choice' &&
              q.choices.map((c) => (
                <button key={c.code} type="button" disabled={action.busy} onClick={() => send(c.code)}>
                  {c.label}
                </button>
              ))}
            {scores.map((score) => (
              <button key={score} type="button" disabled={action.busy} onClick={() => send(score)}>
                {score}
              </button>
            ))}
          </div>
          {q.kind === 'text' && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                send(text);
              }}
            >
              <textarea value={text} maxLength={q.maxLength ?? undefined} required onChange={(e) => setText(e.target.value)} aria-label={q.text} />
              <button type="submit" disabled={action.busy}>
                {t('surveySend')}
              </button>
            </form>
          )}
        </>
      )}
      <Outcome error={action.error} />
    </div>
  );
}
