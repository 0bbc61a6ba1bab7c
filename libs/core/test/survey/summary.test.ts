import { describe, expect, it } from 'vitest';

import { serviceGrade, summarizeSurvey, type SurveyDefinition } from '../../src/index.js';

const t = (text: string) => ({ id: text, en: text });

const SKM: SurveyDefinition = {
  code: 'skm',
  title: t('Survei Kepuasan Masyarakat'),
  questions: [
    { id: 'q-syarat', kind: 'rating', text: t('Persyaratan'), min: 1, max: 4 },
    { id: 'q-waktu', kind: 'rating', text: t('Waktu'), min: 1, max: 4 },
    { id: 'q-nps', kind: 'rating', text: t('Rekomendasi'), min: 0, max: 10 },
    { id: 'q-kanal', kind: 'choice', text: t('Kanal'), choices: [{ code: 'loket', label: t('Loket') }, { code: 'online', label: t('Online') }] },
    { id: 'q-saran', kind: 'text', text: t('Saran') },
  ],
};

const sessions = { asked: 8, completed: 4, abandoned: 1, expired: 2, open: 1 };

describe('summarizeSurvey', () => {
  it('counts answers per choice and score, and computes the satisfaction index from completed questionnaires only', () => {
    const summary = summarizeSurvey(SKM, sessions, [
      { questionId: 'q-syarat', value: '4', completed: true, count: 3 },
      { questionId: 'q-syarat', value: '3', completed: true, count: 1 },
      // An abandoned questionnaire's answer shows in the distribution, not in the index.
      { questionId: 'q-syarat', value: '1', completed: false, count: 1 },
      { questionId: 'q-waktu', value: '3', completed: true, count: 2 },
      { questionId: 'q-waktu', value: '2', completed: true, count: 2 },
      { questionId: 'q-nps', value: '9', completed: true, count: 4 },
      { questionId: 'q-kanal', value: 'online', completed: true, count: 3 },
      { questionId: 'q-kanal', value: 'loket', completed: true, count: 1 },
      { questionId: 'q-saran', value: null, completed: true, count: 2 },
    ]);
    expect(summary.completionRate).toBe(0.5);
    expect(summary.questions.map((q) => [q.id, q.answered, q.mean])).toEqual([
      ['q-syarat', 5, 3.2],
      ['q-waktu', 4, 2.5],
      ['q-nps', 4, 9],
      ['q-kanal', 4, null],
      ['q-saran', 2, null],
    ]);
    expect(summary.questions[0]?.scores).toEqual([
      { score: 1, count: 1 },
      { score: 2, count: 0 },
      { score: 3, count: 1 },
      { score: 4, count: 3 },
    ]);
    expect(summary.questions[3]?.choices).toEqual([
      { code: 'loket', count: 1 },
      { code: 'online', count: 3 },
    ]);
    // (3.75 + 2.5) / 2 × 25 = 78.125: grade B. The 0–10 question is not an element.
    expect(summary.satisfaction).toEqual({ value: 78.13, grade: 'B', questions: ['q-syarat', 'q-waktu'], respondents: 4 });
  });

  it('has no index without elements on the 1–4 scale or without completed answers, and no rate without sessions', () => {
    const none = { asked: 0, completed: 0, abandoned: 0, expired: 0, open: 0 };
    expect(summarizeSurvey(SKM, none, [])).toMatchObject({ completionRate: null, satisfaction: null });
    expect(summarizeSurvey(SKM, sessions, [{ questionId: 'q-syarat', value: '4', completed: false, count: 2 }]).satisfaction).toBeNull();
    const noElements = { ...SKM, questions: SKM.questions.filter((q) => q.id === 'q-nps') };
    expect(summarizeSurvey(noElements, sessions, [{ questionId: 'q-nps', value: '7', completed: true, count: 1 }]).satisfaction).toBeNull();
  });

  it('grades at the regulation cut-offs', () => {
    expect([100, 88.31, 88.3, 76.61, 76.6, 65, 64.99, 25].map(serviceGrade)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D']);
  });
});
