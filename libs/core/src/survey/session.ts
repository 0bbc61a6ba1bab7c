import type { ChannelName, Locale } from '../notify/message-class.js';
import { answer, type AnswerRefusal, END, type Question, questionText, type Reply, type ReplyOption, replyOptions, type SurveyDefinition } from './survey.js';

/**
 * A citizen's way through one survey, one reply at a time. Pure: the hub loads the progress, steps it with each reply
 * and stores what comes out, together with the message it says to send, in one transaction.
 */

/** Channels a citizen can answer on: the plugin hands their replies to the hub. The others carry no question. */
export const TWO_WAY_CHANNELS: readonly ChannelName[] = ['sms', 'whatsapp'];

export const isTwoWay = (channel: string): boolean => (TWO_WAY_CHANNELS as readonly string[]).includes(channel);

/**
 * Channels a survey is asked on: the two-way ones, where the question follows the message as text, and the inbox,
 * where the preference centre shows it with its choices and the citizen answers there.
 */
export const SURVEY_CHANNELS: readonly ChannelName[] = [...TWO_WAY_CHANNELS, 'inbox'];

export const asksSurvey = (channel: string): boolean => (SURVEY_CHANNELS as readonly string[]).includes(channel);

/** Channels that show a question's answers as buttons or a list (WhatsApp); on SMS the citizen types them. */
export const BUTTON_CHANNELS: readonly ChannelName[] = ['whatsapp'];

/** The answers to offer as buttons with `question` on `channel`, or null where the channel shows none. */
export function buttonsFor(channel: string, question: Question | undefined, locale: Locale): readonly ReplyOption[] | null {
  return question !== undefined && (BUTTON_CHANNELS as readonly string[]).includes(channel) ? replyOptions(question, locale) : null;
}

/**
 * How long a survey waits for the citizen: a reply later than this is not taken as an answer (it goes to the agency
 * like every other reply), and the survey is reported as it stands.
 */
export const SURVEY_OPEN_HOURS = 72;

/** Replies that cannot be read as an answer to one question before the survey gives up (each costs an SMS). */
export const SURVEY_MAX_REFUSALS = 3;

/** Inbound ids a progress remembers, so a redelivered reply is not taken twice (the newest are kept). */
const SEEN_KEPT = 200;

/** `expired`: no answer came within SURVEY_OPEN_HOURS; the hub sets it when the deadline passes. */
export type SurveyState = 'open' | 'completed' | 'abandoned' | 'expired';

export interface SurveyAnswer {
  readonly questionId: string;
  readonly value: string | number;
}

export interface SurveyProgress {
  readonly state: SurveyState;
  /** The question awaiting a reply; null once the survey is over. */
  readonly questionId: string | null;
  /** The answers in the order given, along the path the skip logic took. */
  readonly answers: readonly SurveyAnswer[];
  /** Replies to the current question that could not be read. */
  readonly refusals: number;
  /** Ids of the replies already stepped (inbound record ids). */
  readonly seen: readonly string[];
}

export interface SurveyStep {
  readonly progress: SurveyProgress;
  /** What to send the citizen: the next question, the same one asked again, or the closing words. Null for nothing. */
  readonly say: string | null;
  /** Set when this reply ended the survey. */
  readonly finished: 'completed' | 'abandoned' | null;
  /** Why the reply was not taken as an answer, when it was not. */
  readonly refusal: AnswerRefusal | null;
}

/** The progress of a survey whose first question was just asked. */
export function beginSurvey(survey: SurveyDefinition): SurveyProgress {
  return { state: 'open', questionId: survey.questions[0]?.id ?? null, answers: [], refusals: 0, seen: [] };
}

/** A notification's body with the survey's first question after it, as a text channel sends it. */
export function withFirstQuestion(body: string, survey: SurveyDefinition, locale: Locale): string {
  const first = survey.questions[0];
  return first === undefined ? body : `${body}\n\n${questionText(first, locale)}`;
}

const WORDS: Readonly<Record<Locale, { readonly again: string; readonly thanks: string; readonly closed: string }>> = {
  id: {
    again: 'Maaf, balasan Anda belum bisa kami baca.',
    thanks: 'Terima kasih, jawaban Anda sudah kami terima.',
    closed: 'Maaf, balasan Anda belum bisa kami baca. Survei ini kami tutup; terima kasih atas waktu Anda.',
  },
  en: {
    again: 'Sorry, we could not read your reply.',
    thanks: 'Thank you, we have received your answers.',
    closed: 'Sorry, we could not read your reply. We have closed this survey; thank you for your time.',
  },
};

/**
 * Takes one reply. An answer moves the survey along its skip logic and asks the next question, or thanks the citizen
 * at the end; a reply that is not an answer asks the same question again, up to SURVEY_MAX_REFUSALS times, and then
 * closes the survey. A reply already taken (same id) or one to a survey that is over changes nothing and says nothing.
 */
export function stepSurvey(survey: SurveyDefinition, progress: SurveyProgress, reply: Reply & { readonly id: string }, locale: Locale): SurveyStep {
  const unchanged: SurveyStep = { progress, say: null, finished: null, refusal: null };
  if (progress.state !== 'open' || progress.questionId === null || progress.seen.includes(reply.id)) return unchanged;
  const seen = [...progress.seen, reply.id].slice(-SEEN_KEPT);
  const words = WORDS[locale];
  const result = answer(survey, progress.questionId, reply);
  if (!result.ok) {
    const refusals = progress.refusals + 1;
    const question = survey.questions.find((q) => q.id === progress.questionId);
    if (refusals >= SURVEY_MAX_REFUSALS || question === undefined) {
      return { progress: { ...progress, state: 'abandoned', questionId: null, refusals, seen }, say: words.closed, finished: 'abandoned', refusal: result.refusal };
    }
    return { progress: { ...progress, refusals, seen }, say: `${words.again}\n${questionText(question, locale)}`, finished: null, refusal: result.refusal };
  }
  const answers = [...progress.answers, { questionId: result.questionId, value: result.value }];
  const next = result.next === END ? undefined : survey.questions.find((q) => q.id === result.next);
  if (next === undefined) {
    return { progress: { state: 'completed', questionId: null, answers, refusals: 0, seen }, say: words.thanks, finished: 'completed', refusal: null };
  }
  return { progress: { state: 'open', questionId: next.id, answers, refusals: 0, seen }, say: questionText(next, locale), finished: null, refusal: null };
}
