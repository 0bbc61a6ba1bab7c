import {
  answer,
  beginSurvey,
  buttonsFor,
  isLocale,
  isTwoWay,
  isUuid,
  type Locale,
  type Logger,
  parseSurvey,
  type Question,
  stepSurvey,
  SURVEY_OPEN_HOURS,
  type SurveyDefinition,
  type SurveyProgress,
  type SurveyState,
  timeOrderedId,
} from '@kabar/core';
import type { BusRecord } from '@kabar/messaging';
import {
  CallbackRepository,
  type ExpiredSession,
  type NewCallbackDelivery,
  type NewNotification,
  ScheduleRepository,
  type SessionWrite,
  type SurveyOpening,
  SurveyRepository,
  type SurveyRow,
} from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { answerNotification } from '../delivery/answer-notification.js';
import { type InboundMessage } from '../delivery/inbound-record.js';
import { kabarEventJson, statusRecord } from '../delivery/status-event.js';
import { dispatchRecord } from '../ingest/ingest.service.js';
import { SurveyError, SurveyErrorCode } from './survey.errors.js';

export const SURVEY_RESPONSE_TYPE = 'id.kabar.survey.response.v1';
/** Deadlines handled per round, and how long a claimed one waits for its worker before another may take it. */
export const EXPIRY_BATCH = 100;
const EXPIRY_LEASE_MS = 5 * 60_000;

/** What the agency's callback receives when a citizen finishes one of its surveys, or the survey gives up. */
export interface SurveyResponseEvent {
  readonly survey: string;
  readonly version: number;
  readonly state: Exclude<SurveyState, 'open'>;
  readonly answers: SurveyProgress['answers'];
  /** The notification that asked the first question, and the agency's own event it was about. */
  readonly notificationId: string;
  readonly source: string;
  readonly id: string;
  readonly channel: string;
  readonly startedAt: string;
  readonly finishedAt: string;
}

interface Walk {
  readonly opening: SurveyOpening;
  readonly survey: SurveyRow;
  readonly definition: SurveyDefinition;
  readonly sessionId: string;
  readonly startedAt: Date;
  progress: SurveyProgress;
  changed: boolean;
}

/**
 * The survey stage: citizens' replies on `kabar.inbound.v1` (SMS, WhatsApp) step the survey their address was last
 * asked, within SURVEY_OPEN_HOURS, in the inbound stage's transaction: the sessions, the next messages (new
 * notifications on the same event, channel and contact point, sent through dispatch like any other), their status
 * messages and the agency's callbacks for finished surveys. A redelivered batch finds each reply already taken and
 * changes nothing. What it does not take goes on to the complaint desk.
 *
 * The answers go to the agency's own callback URL and `surveyResponses`, never to a topic agencies share: they are
 * the citizen's words.
 */
@Injectable()
export class SurveyRunner {
  private readonly store: SurveyRepository;
  private readonly callbacks: CallbackRepository;
  private readonly schedule: ScheduleRepository;

  constructor(
    private readonly em: EntityManager,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.store = new SurveyRepository(em);
    this.callbacks = new CallbackRepository(em);
    this.schedule = new ScheduleRepository(em);
  }

  /**
   * One round of deadlines: surveys still open SURVEY_OPEN_HOURS after they were asked are closed as `expired`, and
   * their agencies told with the answers so far, each job and its effect in one transaction. Returns the jobs claimed.
   */
  async expireDue(now = new Date()): Promise<number> {
    const jobs = await this.schedule.claim(['survey-expiry'], EXPIRY_BATCH, EXPIRY_LEASE_MS, now);
    if (jobs.length === 0) return 0;
    await this.em.fork().transactional(async (tx) => {
      const expired = await this.store.expire(tx, jobs.map((j) => j.ref), now);
      await this.callbacks.enqueueIn(tx, expired.map((s) => responseCallback(finishedExpired(s, now), now)), now);
      await this.schedule.done(tx, jobs.map((j) => j.id));
    });
    return jobs.length;
  }

  /**
   * Steps the surveys these messages answer, in the inbound stage's transaction `tx`. Returns the ids of the messages
   * the survey stage takes (every message from an address whose survey is open, and those it took before, so a
   * redelivered batch routes none of them elsewhere) and the bus records of the messages it sends.
   */
  async stepIn(tx: EntityManager, messages: readonly InboundMessage[], now: Date): Promise<{ readonly taken: ReadonlySet<string>; readonly records: readonly BusRecord[] }> {
    const taken = new Set<string>();
    const replies = messages.filter((m) => isTwoWay(m.channel));
    if (replies.length === 0) return { taken, records: [] };
    const since = new Date(now.getTime() - SURVEY_OPEN_HOURS * 3600_000);
    const openings = await this.store.openings(tx, replies.map((r) => ({ contactHash: r.fromHash, channel: r.channel })), since);
    if (openings.length === 0) return { taken, records: [] };
    const surveys = await this.store.byIds(openings.map((o) => o.surveyId), tx);
    const walks = new Map<string, Walk>();
    for (const opening of openings) {
      const walk = this.walkOf(opening, surveys.get(opening.surveyId));
      if (walk !== undefined) walks.set(`${opening.contactHash} ${opening.channel}`, walk);
    }
    const sent: { readonly notification: NewNotification; readonly opening: SurveyOpening }[] = [];
    const finished: NewCallbackDelivery[] = [];
    for (const reply of replies) {
      const walk = walks.get(`${reply.fromHash} ${reply.channel}`);
      // A reply the channel says answers another event's message is about that one, not this survey.
      if (walk === undefined || (reply.inReplyToEvent !== null && reply.inReplyToEvent !== walk.opening.eventId)) continue;
      if (walk.progress.state !== 'open' && !walk.progress.seen.includes(reply.id)) continue;
      taken.add(reply.id);
      const locale: Locale = isLocale(walk.opening.locale) ? walk.opening.locale : 'id';
      const step = stepSurvey(walk.definition, walk.progress, reply, locale);
      if (step.progress === walk.progress) continue;
      walk.progress = step.progress;
      walk.changed = true;
      if (step.say !== null) {
        const waiting = step.progress.state === 'open' ? walk.definition.questions.find((q) => q.id === step.progress.questionId) : undefined;
        sent.push({ notification: surveyMessage(walk.opening, step.say, locale, buttonsFor(walk.opening.channel, waiting, locale)), opening: walk.opening });
      }
      if (step.finished !== null) finished.push(responseCallback(finishedWalk(walk, step.finished, now), now));
    }
    const changed = [...walks.values()].filter((w) => w.changed);
    if (changed.length === 0) return { taken, records: [] };
    await this.record(tx, changed, finished, now);
    await this.store.addMessages(tx, sent.map((m) => m.notification), now);
    // Keyed by citizen, as ingest keys a citizen's notifications: one citizen's messages stay in order.
    const records: BusRecord[] = sent.flatMap(({ notification: n, opening }) => [
      dispatchRecord(n.citizenId, [n.id]),
      statusRecord({ agency: opening.agencyCode, eventId: n.eventId, source: opening.source, id: opening.ceId, notificationId: n.id, state: 'accepted', reason: null, channel: n.channel, at: now.toISOString() }),
    ]);
    return { taken, records };
  }

  /** The citizen's inbox surveys of the last SURVEY_OPEN_HOURS, newest first, where each stands. */
  async inboxSurveys(citizenId: string, now = new Date()): Promise<InboxSurvey[]> {
    const em = this.em.fork();
    const openings = await this.store.inboxOpenings(em, citizenId, new Date(now.getTime() - SURVEY_OPEN_HOURS * 3600_000));
    const surveys = await this.store.byIds(openings.map((o) => o.surveyId), em);
    return openings.flatMap((opening) => {
      const walk = this.walkOf(opening, surveys.get(opening.surveyId));
      return walk === undefined ? [] : [inboxSurvey(walk, now)];
    });
  }

  /**
   * The citizen answers the question `questionId` of the survey their inbox message `notificationId` asked, in the
   * preference centre. Nothing changes on a typed refusal: a survey that is not theirs or not found, one that is over,
   * another question than the one it waits for (the page was stale), or an answer that does not fit the question.
   */
  async answerInInbox(citizenId: string, notificationId: string, questionId: string, given: string, now = new Date()): Promise<InboxSurvey> {
    if (!isUuid(notificationId)) throw new SurveyError(SurveyErrorCode.NotFound, 'no survey in your inbox for that message');
    return this.em.fork().transactional(async (tx) => {
      const [opening] = await this.store.inboxOpenings(tx, citizenId, new Date(0), notificationId, 1);
      const walk = opening === undefined ? undefined : this.walkOf(opening, (await this.store.byIds([opening.surveyId], tx)).get(opening.surveyId));
      if (walk === undefined) throw new SurveyError(SurveyErrorCode.NotFound, 'no survey in your inbox for that message');
      if (walk.progress.state !== 'open' || deadlineOf(walk.opening) <= now) throw new SurveyError(SurveyErrorCode.Closed, 'this survey is over');
      if (walk.progress.questionId !== questionId) throw new SurveyError(SurveyErrorCode.NotWaiting, `this survey waits for the answer to "${walk.progress.questionId ?? ''}"`);
      // A button's code or a typed answer: read as both, as a WhatsApp reply is.
      const reply = { id: timeOrderedId(), text: given, payload: given };
      const checked = answer(walk.definition, questionId, reply);
      if (!checked.ok) throw new SurveyError(SurveyErrorCode.AnswerInvalid, `the answer does not fit the question (${checked.refusal})`, { refusal: checked.refusal });
      const step = stepSurvey(walk.definition, walk.progress, reply, isLocale(walk.opening.locale) ? walk.opening.locale : 'id');
      walk.progress = step.progress;
      await this.record(tx, [walk], step.finished === null ? [] : [responseCallback(finishedWalk(walk, step.finished, now), now)], now);
      return inboxSurvey(walk, now);
    });
  }

  /**
   * Writes stepped sessions with what they imply: a deadline for each that begins here (reported then if the
   * citizen stops before the end), and the callbacks of those that finished.
   */
  private async record(tx: EntityManager, walks: readonly Walk[], finished: readonly NewCallbackDelivery[], now: Date): Promise<void> {
    await this.store.saveSessions(tx, walks.map((w) => sessionWrite(w, now)), now);
    const begun = walks.filter((w) => w.opening.session === null && w.progress.state === 'open');
    await this.schedule.schedule(tx, begun.map((w) => ({ kind: 'survey-expiry' as const, ref: w.sessionId, dueAt: deadlineOf(w.opening) })));
    await this.callbacks.enqueueIn(tx, finished, now);
  }

  private walkOf(opening: SurveyOpening, survey: SurveyRow | undefined): Walk | undefined {
    if (survey === undefined) return undefined;
    const parsed = parseSurvey(survey.definition);
    if (!('survey' in parsed)) {
      this.logger.warn({ surveyId: survey.id }, 'stored survey does not read as a survey; replies to it are not taken');
      return undefined;
    }
    const stored = opening.session;
    const progress: SurveyProgress =
      stored === null
        ? beginSurvey(parsed.survey)
        : { state: isState(stored.state) ? stored.state : 'open', questionId: stored.questionId, answers: stored.answers, refusals: stored.refusals, seen: stored.seen };
    return { opening, survey, definition: parsed.survey, sessionId: stored?.id ?? timeOrderedId(), startedAt: stored?.startedAt ?? opening.askedAt, progress, changed: false };
  }
}

/** A survey as the citizen sees it beside an inbox message: where it stands, and the question it waits for. */
export interface InboxSurvey {
  readonly notificationId: string;
  readonly agencyName: string;
  readonly definition: SurveyDefinition;
  readonly locale: Locale;
  readonly state: SurveyState;
  readonly question: Question | null;
  readonly answered: number;
}

function inboxSurvey(walk: Walk, now: Date): InboxSurvey {
  const { opening, progress } = walk;
  const over = progress.state === 'open' && deadlineOf(opening) <= now;
  return {
    notificationId: opening.notificationId,
    agencyName: opening.agencyName,
    definition: walk.definition,
    locale: isLocale(opening.locale) ? opening.locale : 'id',
    state: over ? 'expired' : progress.state,
    question: over ? null : (walk.definition.questions.find((q) => q.id === progress.questionId) ?? null),
    answered: progress.answers.length,
  };
}

/** A survey waits SURVEY_OPEN_HOURS from the message that asked it, as replies are matched to it. */
const deadlineOf = (opening: SurveyOpening): Date => new Date(opening.askedAt.getTime() + SURVEY_OPEN_HOURS * 3600_000);

const isState = (v: string): v is SurveyState => v === 'open' || v === 'completed' || v === 'abandoned' || v === 'expired';

/**
 * A message of the survey as a notification on the same event, to the same contact point on the same channel, in the
 * role `survey`. It has no message class, so it counts against no frequency limit: the citizen asked for it by
 * replying.
 */
function surveyMessage(opening: SurveyOpening, body: string, locale: Locale, replyOptions: NewNotification['replyOptions']): NewNotification {
  const { eventId, agencyId, citizenId, contactPointId, channel } = opening;
  return { ...answerNotification({ eventId, agencyId, citizenId, contactPointId, channel, locale, recipientRole: 'survey', addressSealed: null, sender: null }, body), replyOptions };
}

function sessionWrite(walk: Walk, now: Date): SessionWrite {
  const { opening, progress } = walk;
  return {
    id: walk.sessionId,
    openedBy: opening.notificationId,
    surveyId: walk.survey.id,
    agencyId: opening.agencyId,
    eventId: opening.eventId,
    citizenId: opening.citizenId,
    contactPointId: opening.contactPointId,
    channel: opening.channel,
    contactHash: opening.contactHash,
    locale: opening.locale,
    state: progress.state,
    questionId: progress.questionId,
    answers: progress.answers,
    refusals: progress.refusals,
    seen: progress.seen,
    startedAt: walk.startedAt,
    finishedAt: progress.state === 'open' ? null : now,
    expiresAt: deadlineOf(opening),
  };
}

/** What a finished survey's callback says, whatever ended it. */
interface Finished {
  readonly sessionId: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly data: SurveyResponseEvent;
}

function finishedWalk(walk: Walk, state: SurveyResponseEvent['state'], now: Date): Finished {
  const { opening } = walk;
  return {
    sessionId: walk.sessionId,
    agencyId: opening.agencyId,
    agencyCode: opening.agencyCode,
    data: {
      survey: walk.survey.code,
      version: walk.survey.version,
      state,
      answers: walk.progress.answers,
      notificationId: opening.notificationId,
      source: opening.source,
      id: opening.ceId,
      channel: opening.channel,
      startedAt: walk.startedAt.toISOString(),
      finishedAt: now.toISOString(),
    },
  };
}

function finishedExpired(session: ExpiredSession, now: Date): Finished {
  return {
    sessionId: session.id,
    agencyId: session.agencyId,
    agencyCode: session.agencyCode,
    data: {
      survey: session.code,
      version: session.version,
      state: 'expired',
      answers: session.answers,
      notificationId: session.notificationId,
      source: session.source,
      id: session.ceId,
      channel: session.channel,
      startedAt: session.startedAt.toISOString(),
      finishedAt: now.toISOString(),
    },
  };
}

/** The finished survey as a structured CloudEvent for the agency's callback, signed and retried like statuses. */
function responseCallback(finished: Finished, now: Date): NewCallbackDelivery {
  const webhookId = `survey.${finished.sessionId}`;
  const payload = kabarEventJson({ id: webhookId, type: SURVEY_RESPONSE_TYPE, subject: finished.data.notificationId, time: now.toISOString(), agency: finished.agencyCode, data: finished.data });
  return { agencyId: finished.agencyId, webhookId, payload };
}
