import { describe, expect, it } from 'vitest';

import { answer, beginSurvey, checkSurvey, parseSurvey, type Question, questionText, replyOptions, stepSurvey, type SurveyDefinition, type SurveyProgress, withFirstQuestion } from '../../src/index.js';

const t = (id: string, en: string) => ({ id, en });

/**
 * A service-satisfaction survey as a city's complaint desk would send it: satisfied citizens are asked for a score
 * and thanked; dissatisfied ones skip the score and are asked what went wrong.
 */
const SATISFACTION: SurveyDefinition = {
  code: 'kepuasan-layanan',
  title: t('Survei kepuasan layanan', 'Service satisfaction survey'),
  questions: [
    {
      id: 'puas',
      kind: 'choice',
      text: t('Apakah Anda puas dengan penanganan laporan Anda?', 'Are you satisfied with how your report was handled?'),
      choices: [
        { code: 'ya', label: t('Ya', 'Yes') },
        { code: 'tidak', label: t('Tidak', 'No'), next: 'masalah' },
      ],
    },
    { id: 'skor', kind: 'rating', text: t('Beri nilai 1-5', 'Rate us 1-5'), min: 1, max: 5, branches: [{ atMost: 2, next: 'masalah' }], next: 'end' },
    { id: 'masalah', kind: 'text', text: t('Apa yang kurang?', 'What went wrong?'), maxLength: 200 },
  ],
};

const withQuestions = (questions: readonly Question[]): SurveyDefinition => ({ ...SATISFACTION, questions });

describe('survey definitions', () => {
  it('accepts a sound survey with skip logic', () => {
    expect(checkSurvey(SATISFACTION)).toEqual([]);
  });

  it('names every problem with its place: ids, languages, choices, targets, scores and lengths', () => {
    const broken: SurveyDefinition = {
      code: 'Bad Code',
      title: { id: 'Survei', en: '' },
      questions: [
        { id: 'q1', kind: 'choice', text: t('Pilih', 'Choose'), choices: [{ code: 'a', label: t('A', 'A'), next: 'nowhere' }] },
        { id: 'q1', kind: 'rating', text: t('Nilai', 'Score'), min: 5, max: 1 },
        { id: 'end', kind: 'text', text: t('Teks', 'Text'), maxLength: 0 },
      ],
    };
    expect(checkSurvey(broken)).toEqual([
      { path: '/code', message: 'expected 1-40 lowercase letters, digits or dashes' },
      { path: '/title/en', message: 'expected a text in this language' },
      { path: '/questions/0/choices', message: 'expected 2 to 10 choices' },
      { path: '/questions/1/id', message: '"q1" is used twice' },
      { path: '/questions/1/max', message: 'expected whole numbers with 0 <= min < max <= 10' },
      { path: '/questions/2/id', message: 'expected 1-40 lowercase letters, digits or dashes, not "end"' },
      { path: '/questions/2/maxLength', message: 'expected 1 to 500' },
      { path: '/questions/0/choices/0/next', message: 'no question "nowhere"' },
    ]);
  });

  it('refuses a loop, which would ask the citizen forever, and names it', () => {
    const loop = withQuestions([
      { id: 'a', kind: 'text', text: t('A', 'A') },
      { id: 'b', kind: 'choice', text: t('B', 'B'), choices: [{ code: 'lagi', label: t('Lagi', 'Again'), next: 'a' }, { code: 'selesai', label: t('Selesai', 'Done'), next: 'end' }] },
    ]);
    expect(checkSurvey(loop)).toEqual([{ path: '/questions', message: 'the questions loop: a → b → a' }]);
  });

  it('refuses an empty survey and texts in a language Kabar does not write in', () => {
    expect(checkSurvey(withQuestions([]))).toEqual([{ path: '/questions', message: 'expected at least one question' }]);
    const extra = withQuestions([{ id: 'a', kind: 'text', text: { id: 'A', en: 'A', fr: 'A' } as unknown as { id: string; en: string } }]);
    expect(checkSurvey(extra)).toEqual([{ path: '/questions/0/text/fr', message: 'unknown language; expected id or en' }]);
  });
});

describe('answers and skip logic', () => {
  it('takes a choice by button payload, number, code or label in either language', () => {
    for (const reply of [{ payload: 'tidak' }, { text: '2' }, { text: ' 2. ' }, { text: 'TIDAK' }, { text: 'no' }]) {
      expect(answer(SATISFACTION, 'puas', reply), JSON.stringify(reply)).toEqual({ ok: true, questionId: 'puas', value: 'tidak', next: 'masalah' });
    }
    expect(answer(SATISFACTION, 'puas', { text: 'ya' })).toEqual({ ok: true, questionId: 'puas', value: 'ya', next: 'skor' });
  });

  it('branches on a score: low scores ask what went wrong, high ones end', () => {
    expect(answer(SATISFACTION, 'skor', { text: '2' })).toEqual({ ok: true, questionId: 'skor', value: 2, next: 'masalah' });
    expect(answer(SATISFACTION, 'skor', { text: '5' })).toEqual({ ok: true, questionId: 'skor', value: 5, next: 'end' });
  });

  it('ends after the last question, keeping a text answer as typed', () => {
    expect(answer(SATISFACTION, 'masalah', { text: '  Petugas tidak datang  ' })).toEqual({ ok: true, questionId: 'masalah', value: 'Petugas tidak datang', next: 'end' });
  });

  it.each([
    ['puas', { text: '' }, 'EMPTY'],
    ['puas', { text: '3' }, 'NOT_A_CHOICE'],
    ['puas', { text: 'mungkin' }, 'NOT_A_CHOICE'],
    ['skor', { text: '6' }, 'NOT_A_SCORE'],
    ['skor', { text: 'lima' }, 'NOT_A_SCORE'],
    ['masalah', { text: 'x'.repeat(201) }, 'TOO_LONG'],
    ['masalah', { payload: 'ya' }, 'EMPTY'],
    ['unknown', { text: '1' }, 'NO_SUCH_QUESTION'],
  ])('asks %s again for %j: %s', (questionId, reply, refusal) => {
    expect(answer(SATISFACTION, questionId, reply)).toEqual({ ok: false, questionId, refusal });
  });
});

describe('questions as text for SMS and chat', () => {
  it('numbers the choices and says how to answer, in the citizen language', () => {
    const [first, score] = SATISFACTION.questions;
    expect(first && questionText(first, 'id')).toBe('Apakah Anda puas dengan penanganan laporan Anda?\n1. Ya\n2. Tidak\nBalas dengan nomor pilihan.');
    expect(score && questionText(score, 'en')).toBe('Rate us 1-5\nReply with a number from 1 to 5.');
  });
});

describe('surveys from JSON', () => {
  it('reads a sound survey as it was sent', () => {
    expect(parseSurvey(JSON.parse(JSON.stringify(SATISFACTION)))).toEqual({ survey: SATISFACTION });
  });

  it('names shape problems before anything else, misspelt skip logic included', () => {
    const raw = {
      code: 'x',
      title: 'Survei',
      questions: [{ id: 'a', kind: 'choice', text: t('A', 'A'), choices: [{ code: 'y', label: t('Y', 'Y'), nxt: 'b' }, 'z'] }, { id: 'b', kind: 'scale' }, { id: 'c', kind: 'rating', text: t('C', 'C'), min: '1', max: 5 }],
      extra: true,
    };
    expect(parseSurvey(raw)).toEqual({
      problems: [
        { path: '/extra', message: 'unknown property; expected code, title, questions' },
        { path: '/questions/0/choices/1', message: 'expected an object' },
        { path: '/questions/0/choices/0/nxt', message: 'unknown property; expected code, label, next' },
        { path: '/questions/0/choices/1/code', message: 'expected a string' },
        { path: '/questions/0/choices/1/label', message: 'expected texts by language, e.g. { "id": "…", "en": "…" }' },
        { path: '/questions/1/text', message: 'expected texts by language, e.g. { "id": "…", "en": "…" }' },
        { path: '/questions/1/kind', message: 'expected choice, rating or text' },
        { path: '/questions/2/min', message: 'expected a number' },
        { path: '/title', message: 'expected texts by language, e.g. { "id": "…", "en": "…" }' },
      ],
    });
    expect(parseSurvey([])).toEqual({ problems: [{ path: '', message: 'expected a survey object with code, title and questions' }] });
  });

  it('then checks the survey itself', () => {
    expect(parseSurvey({ ...SATISFACTION, questions: [] })).toEqual({ problems: [{ path: '/questions', message: 'expected at least one question' }] });
  });
});

describe('a citizen going through a survey', () => {
  let n = 0;
  const reply = (text: string, payload?: string) => ({ id: `r${String(++n)}`, text, ...(payload === undefined ? {} : { payload }) });
  const walk = (texts: readonly string[], locale: 'id' | 'en' = 'id') => {
    let progress: SurveyProgress = beginSurvey(SATISFACTION);
    const said: (string | null)[] = [];
    for (const text of texts) {
      const step = stepSurvey(SATISFACTION, progress, reply(text), locale);
      progress = step.progress;
      said.push(step.say);
    }
    return { progress, said };
  };

  it('asks the first question under the message, numbered, in the citizen language', () => {
    expect(withFirstQuestion('Laporan Anda selesai.', SATISFACTION, 'id')).toBe(
      'Laporan Anda selesai.\n\nApakah Anda puas dengan penanganan laporan Anda?\n1. Ya\n2. Tidak\nBalas dengan nomor pilihan.',
    );
  });

  it('follows the skip logic: a satisfied citizen gives a score and is thanked', () => {
    const { progress, said } = walk(['1', '5']);
    expect(progress).toMatchObject({ state: 'completed', questionId: null, answers: [{ questionId: 'puas', value: 'ya' }, { questionId: 'skor', value: 5 }] });
    expect(said).toEqual(['Beri nilai 1-5\nBalas dengan angka 1 sampai 5.', 'Terima kasih, jawaban Anda sudah kami terima.']);
  });

  it('sends a low score and a dissatisfied citizen to the question about what went wrong', () => {
    expect(walk(['ya', '2', 'Terlalu lama']).progress.answers).toEqual([
      { questionId: 'puas', value: 'ya' },
      { questionId: 'skor', value: 2 },
      { questionId: 'masalah', value: 'Terlalu lama' },
    ]);
    const { progress, said } = walk(['No', 'Petugas tidak datang'], 'en');
    expect(progress).toMatchObject({ state: 'completed', answers: [{ questionId: 'puas', value: 'tidak' }, { questionId: 'masalah', value: 'Petugas tidak datang' }] });
    expect(said[0]).toBe('What went wrong?\nReply with your answer.');
    expect(said[1]).toBe('Thank you, we have received your answers.');
  });

  it('asks again after a reply it cannot read, and closes the survey after three in a row', () => {
    const again = walk(['mungkin', '1']);
    expect(again.said[0]).toBe('Maaf, balasan Anda belum bisa kami baca.\nApakah Anda puas dengan penanganan laporan Anda?\n1. Ya\n2. Tidak\nBalas dengan nomor pilihan.');
    expect(again.progress).toMatchObject({ state: 'open', questionId: 'skor', refusals: 0 });
    const closed = walk(['1', '9', 'lima', '0']);
    expect(closed.progress).toMatchObject({ state: 'abandoned', questionId: null, refusals: 3, answers: [{ questionId: 'puas', value: 'ya' }] });
    expect(closed.said[3]).toContain('Survei ini kami tutup');
  });

  it('takes a reply once, however often it is delivered, and nothing after the end', () => {
    const first = reply('1');
    const once = stepSurvey(SATISFACTION, beginSurvey(SATISFACTION), first, 'id');
    const twice = stepSurvey(SATISFACTION, once.progress, first, 'id');
    expect(twice).toEqual({ progress: once.progress, say: null, finished: null, refusal: null });
    const done = walk(['2', 'Lambat']).progress;
    expect(stepSurvey(SATISFACTION, done, reply('1'), 'id')).toMatchObject({ progress: done, say: null, finished: null });
  });

  it('reads a WhatsApp button by its payload', () => {
    const step = stepSurvey(SATISFACTION, beginSurvey(SATISFACTION), reply('Tidak puas sama sekali', 'tidak'), 'id');
    expect(step.progress.questionId).toBe('masalah');
  });
});

describe('reply options (WhatsApp buttons and lists)', () => {
  it("offers a choice's labels in the citizen's language, each answering with its code", () => {
    const [puas, skor, masalah] = SATISFACTION.questions;
    expect(puas && replyOptions(puas, 'en')).toEqual([{ id: 'ya', title: 'Yes' }, { id: 'tidak', title: 'No' }]);
    expect(skor && replyOptions(skor, 'id')).toEqual(['1', '2', '3', '4', '5'].map((n) => ({ id: n, title: n })));
    expect(masalah && replyOptions(masalah, 'id')).toBeNull();
  });

  it('offers no scores that would not fit a list, and each offered option is an answer the question takes', () => {
    const wide: Question = { id: 'nps', kind: 'rating', text: t('Nilai 0-10', 'Score 0-10'), min: 0, max: 10 };
    expect(replyOptions(wide, 'id')).toBeNull();
    const [puas] = SATISFACTION.questions;
    for (const option of (puas && replyOptions(puas, 'id')) ?? []) expect(answer(SATISFACTION, 'puas', { text: option.title, payload: option.id })).toMatchObject({ ok: true, value: option.id });
  });
});
