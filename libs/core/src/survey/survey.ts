import { isLocale, type Locale, LOCALES } from '../notify/message-class.js';

/**
 * A survey an agency sends to citizens over SMS, WhatsApp or the inbox, answered one reply at a time, with skip logic:
 * each answer (or each choice) may name the question that follows. The definition is checked once, when the agency
 * saves it, so that every path through it ends and every text exists in every language Kabar writes in.
 */
export type Texts = Readonly<Record<Locale, string>>;

/** Where to go after a question: another question's id, or `end`. */
export type Next = string;
export const END = 'end';

export interface Choice {
  /** Stable code reported to the agency and sent as a WhatsApp button payload, e.g. `puas`. */
  readonly code: string;
  readonly label: Texts;
  /** Skip logic: this choice jumps here instead of the question's `next`. */
  readonly next?: Next;
}

interface QuestionBase {
  /** Stable id, e.g. `q-layanan`; the answers the agency gets are keyed by it. */
  readonly id: string;
  readonly text: Texts;
  /** The question after this one; by default the next in the list, and `end` after the last. */
  readonly next?: Next;
}

export interface ChoiceQuestion extends QuestionBase {
  readonly kind: 'choice';
  readonly choices: readonly Choice[];
}

export interface RatingQuestion extends QuestionBase {
  readonly kind: 'rating';
  readonly min: number;
  readonly max: number;
  /** Skip logic on a score: the first rule whose `atMost` the score does not exceed decides where to go. */
  readonly branches?: readonly { readonly atMost: number; readonly next: Next }[];
}

export interface TextQuestion extends QuestionBase {
  readonly kind: 'text';
  /** Longest answer kept, in characters (default 500); a longer reply is asked again, not cut. */
  readonly maxLength?: number;
}

export type Question = ChoiceQuestion | RatingQuestion | TextQuestion;

export interface SurveyDefinition {
  readonly code: string;
  readonly title: Texts;
  /** The first question starts the survey. */
  readonly questions: readonly Question[];
}

export interface SurveyProblem {
  /** A JSON Pointer into the definition, e.g. `/questions/2/choices/0/next`. */
  readonly path: string;
  readonly message: string;
}

export const SURVEY_LIMITS = { questions: 50, choices: 10, text: 500, answer: 500 } as const;

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Every problem of a definition at once (empty when it is sound). */
export function checkSurvey(survey: SurveyDefinition): SurveyProblem[] {
  const problems: SurveyProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!ID.test(survey.code)) problem('/code', 'expected 1-40 lowercase letters, digits or dashes');
  checkTexts(survey.title, '/title', problem);
  if (survey.questions.length === 0) problem('/questions', 'expected at least one question');
  if (survey.questions.length > SURVEY_LIMITS.questions) problem('/questions', `expected at most ${SURVEY_LIMITS.questions} questions`);
  const ids = new Set<string>();
  survey.questions.forEach((q, i) => {
    const at = `/questions/${String(i)}`;
    if (!ID.test(q.id) || q.id === END) problem(`${at}/id`, `expected 1-40 lowercase letters, digits or dashes, not "${END}"`);
    else if (ids.has(q.id)) problem(`${at}/id`, `"${q.id}" is used twice`);
    ids.add(q.id);
    checkTexts(q.text, `${at}/text`, problem);
    checkQuestion(q, at, problem);
  });
  survey.questions.forEach((q, i) => {
    for (const [path, next] of targets(q, `/questions/${String(i)}`)) {
      if (next !== END && !ids.has(next)) problem(path, `no question "${next}"`);
    }
  });
  // Only a sound graph can be walked: a loop would ask the citizen forever.
  if (problems.length === 0) {
    const loop = findLoop(survey);
    if (loop !== null) problem('/questions', `the questions loop: ${loop.join(' → ')}`);
  }
  return problems;
}

function checkTexts(texts: Texts, at: string, problem: (path: string, message: string) => void): void {
  for (const locale of LOCALES) {
    const text = texts[locale] as string | undefined;
    if (typeof text !== 'string' || text.trim() === '') problem(`${at}/${locale}`, 'expected a text in this language');
    else if (text.length > SURVEY_LIMITS.text) problem(`${at}/${locale}`, `expected at most ${SURVEY_LIMITS.text} characters`);
  }
  for (const key of Object.keys(texts)) if (!isLocale(key)) problem(`${at}/${key}`, `unknown language; expected ${LOCALES.join(' or ')}`);
}

function checkQuestion(q: Question, at: string, problem: (path: string, message: string) => void): void {
  switch (q.kind) {
    case 'choice': {
      if (q.choices.length < 2 || q.choices.length > SURVEY_LIMITS.choices) problem(`${at}/choices`, `expected 2 to ${SURVEY_LIMITS.choices} choices`);
      const codes = new Set<string>();
      q.choices.forEach((c, j) => {
        if (!ID.test(c.code)) problem(`${at}/choices/${String(j)}/code`, 'expected 1-40 lowercase letters, digits or dashes');
        else if (codes.has(c.code)) problem(`${at}/choices/${String(j)}/code`, `"${c.code}" is used twice`);
        codes.add(c.code);
        checkTexts(c.label, `${at}/choices/${String(j)}/label`, problem);
      });
      return;
    }
    case 'rating': {
      if (!Number.isInteger(q.min) || !Number.isInteger(q.max) || q.min < 0 || q.max > 10 || q.min >= q.max) problem(`${at}/max`, 'expected whole numbers with 0 <= min < max <= 10');
      q.branches?.forEach((b, j) => {
        if (!Number.isInteger(b.atMost) || b.atMost < q.min || b.atMost > q.max) problem(`${at}/branches/${String(j)}/atMost`, `expected a score from ${String(q.min)} to ${String(q.max)}`);
      });
      return;
    }
    case 'text':
      if (q.maxLength !== undefined && (!Number.isInteger(q.maxLength) || q.maxLength < 1 || q.maxLength > SURVEY_LIMITS.answer)) {
        problem(`${at}/maxLength`, `expected 1 to ${SURVEY_LIMITS.answer}`);
      }
      return;
  }
}

/** Every place a question may lead, with the path that names it; the implicit default last. */
function targets(q: Question, at: string): [string, Next][] {
  const out: [string, Next][] = [];
  if (q.kind === 'choice') q.choices.forEach((c, j) => c.next !== undefined && out.push([`${at}/choices/${String(j)}/next`, c.next]));
  if (q.kind === 'rating') q.branches?.forEach((b, j) => out.push([`${at}/branches/${String(j)}/next`, b.next]));
  if (q.next !== undefined) out.push([`${at}/next`, q.next]);
  return out;
}

/** Where a question goes when no choice or branch says otherwise. */
function defaultNext(survey: SurveyDefinition, index: number): Next {
  const q = survey.questions[index];
  return q?.next ?? survey.questions[index + 1]?.id ?? END;
}

function successors(survey: SurveyDefinition, index: number): Next[] {
  const q = survey.questions[index];
  if (q === undefined) return [];
  const explicit = targets(q, '').map(([, next]) => next);
  return [...new Set([...explicit, defaultNext(survey, index)])];
}

/** A cycle of question ids, or null: depth-first search over the question graph. */
function findLoop(survey: SurveyDefinition): string[] | null {
  const index = new Map(survey.questions.map((q, i) => [q.id, i]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of successors(survey, index.get(id) ?? -1)) {
      if (next === END) continue;
      const loop = visit(next);
      if (loop !== null) return loop;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const q of survey.questions) {
    const loop = visit(q.id);
    if (loop !== null) return loop;
  }
  return null;
}

/** A citizen's reply as the channel delivers it: the text typed, or a button's payload (WhatsApp). */
export interface Reply {
  readonly text?: string | null;
  readonly payload?: string | null;
}

export type AnswerRefusal = 'EMPTY' | 'NOT_A_CHOICE' | 'NOT_A_SCORE' | 'TOO_LONG' | 'NO_SUCH_QUESTION';

export type Answered =
  | { readonly ok: true; readonly questionId: string; readonly value: string | number; readonly next: Next }
  | { readonly ok: false; readonly questionId: string; readonly refusal: AnswerRefusal };

/**
 * Reads a reply to one question and says where the survey goes. A choice is taken by its button payload, its number
 * in the list ("2"), its code or its label in either language (case and spaces ignored), since an SMS reply is typed.
 */
export function answer(survey: SurveyDefinition, questionId: string, reply: Reply): Answered {
  const index = survey.questions.findIndex((q) => q.id === questionId);
  const q = survey.questions[index];
  if (q === undefined) return { ok: false, questionId, refusal: 'NO_SUCH_QUESTION' };
  const refuse = (refusal: AnswerRefusal): Answered => ({ ok: false, questionId, refusal });
  const typed = (reply.text ?? '').trim();
  const given = (reply.payload ?? '').trim() || typed;
  if (given === '') return refuse('EMPTY');
  switch (q.kind) {
    case 'choice': {
      const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').replace(/[.)]$/, '').trim();
      const wanted = norm(given);
      const byNumber = /^\d{1,2}$/.test(wanted) ? q.choices[Number(wanted) - 1] : undefined;
      const chosen = byNumber ?? q.choices.find((c) => c.code === wanted || LOCALES.some((l) => norm(c.label[l]) === wanted));
      if (chosen === undefined) return refuse('NOT_A_CHOICE');
      return { ok: true, questionId, value: chosen.code, next: chosen.next ?? defaultNext(survey, index) };
    }
    case 'rating': {
      if (!/^\d{1,2}$/.test(given)) return refuse('NOT_A_SCORE');
      const score = Number(given);
      if (score < q.min || score > q.max) return refuse('NOT_A_SCORE');
      const branch = q.branches?.find((b) => score <= b.atMost);
      return { ok: true, questionId, value: score, next: branch?.next ?? defaultNext(survey, index) };
    }
    case 'text': {
      if (typed === '') return refuse('EMPTY');
      if (typed.length > (q.maxLength ?? SURVEY_LIMITS.answer)) return refuse('TOO_LONG');
      return { ok: true, questionId, value: typed, next: defaultNext(survey, index) };
    }
  }
}

/** Reply hints, per kind of question: what a citizen reads under the question on a text channel. */
const HINTS: Readonly<Record<Locale, { readonly choice: string; readonly rating: (min: number, max: number) => string; readonly text: string }>> = {
  id: { choice: 'Balas dengan nomor pilihan.', rating: (min, max) => `Balas dengan angka ${String(min)} sampai ${String(max)}.`, text: 'Balas dengan jawaban Anda.' },
  en: { choice: 'Reply with the number of your choice.', rating: (min, max) => `Reply with a number from ${String(min)} to ${String(max)}.`, text: 'Reply with your answer.' },
};

/** A question as plain text for SMS and chat: the question, numbered choices, and how to answer. */
/** An answer a channel can offer as a button or list row (WhatsApp): its id comes back as the reply's payload. */
export interface ReplyOption {
  readonly id: string;
  readonly title: string;
}

/** The most options a channel is offered: a WhatsApp list holds ten rows. */
export const MAX_REPLY_OPTIONS = 10;

/**
 * The question's answers as tappable options, in its language: a choice's labels (payload: the choice's code), a
 * rating's scores when they fit MAX_REPLY_OPTIONS; null for a question answered in words. The text of the question
 * still lists them, for channels that show no buttons.
 */
export function replyOptions(q: Question, locale: Locale): readonly ReplyOption[] | null {
  switch (q.kind) {
    case 'choice':
      return q.choices.map((c) => ({ id: c.code, title: c.label[locale] }));
    case 'rating': {
      const count = q.max - q.min + 1;
      return count > MAX_REPLY_OPTIONS ? null : Array.from({ length: count }, (_, i) => ({ id: String(q.min + i), title: String(q.min + i) }));
    }
    case 'text':
      return null;
  }
}

export function questionText(q: Question, locale: Locale): string {
  const hint = HINTS[locale];
  switch (q.kind) {
    case 'choice':
      return [q.text[locale], ...q.choices.map((c, i) => `${String(i + 1)}. ${c.label[locale]}`), hint.choice].join('\n');
    case 'rating':
      return [q.text[locale], hint.rating(q.min, q.max)].join('\n');
    case 'text':
      return [q.text[locale], hint.text].join('\n');
  }
}
