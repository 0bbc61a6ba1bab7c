import type { SurveyDefinition } from './survey.js';

/** How a survey's sessions ended, or stand: `open` is still waiting for the citizen. */
export interface SurveySessionCounts {
  readonly asked: number;
  readonly completed: number;
  readonly abandoned: number;
  readonly expired: number;
  readonly open: number;
}

/** Answers counted by question and value; `value` is null for a text question (its words stay in the responses). */
export interface AnswerCount {
  readonly questionId: string;
  readonly value: string | null;
  /** From a completed session: the satisfaction index counts only questionnaires filled in to the end. */
  readonly completed: boolean;
  readonly count: number;
}

export interface QuestionSummary {
  readonly id: string;
  readonly kind: 'choice' | 'rating' | 'text';
  readonly answered: number;
  /** A choice question's every choice, in its order, with how often it was chosen. */
  readonly choices: readonly { readonly code: string; readonly count: number }[];
  /** A rating question's every score from min to max, with how often it was given. */
  readonly scores: readonly { readonly score: number; readonly count: number }[];
  /** A rating question's mean score, two decimals; null without answers (and for other kinds). */
  readonly mean: number | null;
}

export type ServiceGrade = 'A' | 'B' | 'C' | 'D';

/**
 * Indonesia's community satisfaction index (Indeks Kepuasan Masyarakat, PermenPAN-RB 14/2017): each element rated 1
 * to 4; the index is the mean of the elements' mean scores, times 25, so 25 to 100; A (very good) from 88.31, B (good)
 * from 76.61, C (poor) from 65.00, D (very poor) below.
 */
export interface SatisfactionIndex {
  readonly value: number;
  readonly grade: ServiceGrade;
  /** The rating questions on the 1–4 scale that were counted as its elements. */
  readonly questions: readonly string[];
  /** Completed questionnaires it was computed from. */
  readonly respondents: number;
}

export interface SurveySummary {
  readonly sessions: SurveySessionCounts;
  /** Completed out of asked, 0 to 1 (three decimals); null when none was asked. */
  readonly completionRate: number | null;
  readonly questions: readonly QuestionSummary[];
  /** Null when the survey has no rating question on the 1–4 scale, or no completed questionnaire answered one. */
  readonly satisfaction: SatisfactionIndex | null;
}

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

export function serviceGrade(index: number): ServiceGrade {
  if (index >= 88.31) return 'A';
  if (index >= 76.61) return 'B';
  if (index >= 65) return 'C';
  return 'D';
}

/** What the agency reads of a survey: how many answered, what they chose and scored, and its satisfaction index. */
export function summarizeSurvey(survey: SurveyDefinition, sessions: SurveySessionCounts, answers: readonly AnswerCount[]): SurveySummary {
  const of = (id: string, completedOnly = false): AnswerCount[] => answers.filter((a) => a.questionId === id && (!completedOnly || a.completed));
  const sum = (counts: readonly AnswerCount[]): number => counts.reduce((n, a) => n + a.count, 0);
  const questions = survey.questions.map((q): QuestionSummary => {
    const given = of(q.id);
    const base = { id: q.id, kind: q.kind, answered: sum(given), choices: [], scores: [], mean: null };
    if (q.kind === 'choice') return { ...base, choices: q.choices.map((c) => ({ code: c.code, count: sum(given.filter((a) => a.value === c.code)) })) };
    if (q.kind !== 'rating') return base;
    const scores = Array.from({ length: q.max - q.min + 1 }, (_, i) => q.min + i).map((score) => ({ score, count: sum(given.filter((a) => Number(a.value) === score)) }));
    const total = scores.reduce((n, s) => n + s.score * s.count, 0);
    return { ...base, scores, mean: base.answered === 0 ? null : round(total / base.answered, 2) };
  });
  const elements = survey.questions.filter((q) => q.kind === 'rating' && q.min === 1 && q.max === 4).map((q) => q.id);
  const means = elements.flatMap((id) => {
    const given = of(id, true);
    const n = sum(given);
    return n === 0 ? [] : [given.reduce((s, a) => s + Number(a.value) * a.count, 0) / n];
  });
  const value = means.length === 0 ? null : round((means.reduce((s, m) => s + m, 0) / means.length) * 25, 2);
  return {
    sessions,
    completionRate: sessions.asked === 0 ? null : round(sessions.completed / sessions.asked, 3),
    questions,
    satisfaction: value === null ? null : { value, grade: serviceGrade(value), questions: elements, respondents: sessions.completed },
  };
}
