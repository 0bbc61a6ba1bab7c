import { beginSurvey, isLocale, isTwoWay, type Locale, type Logger, parseSurvey, stepSurvey, SURVEY_OPEN_HOURS, type SurveyDefinition, type SurveyProgress, type SurveyState, timeOrderedId } from '@kabar/core';
import { type BusRecord, OutboxRelay, type ReceivedRecord } from '@kabar/messaging';
import { CallbackRepository, type NewCallbackDelivery, type NewNotification, OutboxRepository, type SessionWrite, type SurveyOpening, SurveyRepository, type SurveyRow } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { KABAR_SOURCE, statusRecord } from '../delivery/status-event.js';
import { dispatchRecord } from '../ingest/ingest.service.js';
import { readSurveyReply } from './survey-reply.js';

export const SURVEYS_GROUP_ID = 'kabar-surveys';
export const SURVEY_RESPONSE_TYPE = 'id.kabar.survey.response.v1';

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
 * asked, within SURVEY_OPEN_HOURS. A batch is one transaction: the sessions, the next messages (new notifications on
 * the same event, channel and contact point, sent through dispatch like any other), their status messages and the
 * agency's callbacks for finished surveys. A redelivered batch finds each reply already taken and changes nothing.
 *
 * The answers go to the agency's own callback URL and `surveyResponses`, never to a topic agencies share: they are
 * the citizen's words.
 */
@Injectable()
export class SurveyRunner {
  private readonly store: SurveyRepository;
  private readonly outbox: OutboxRepository;
  private readonly callbacks: CallbackRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly relay: OutboxRelay,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.store = new SurveyRepository(em);
    this.outbox = new OutboxRepository(em);
    this.callbacks = new CallbackRepository(em);
  }

  async handle(records: readonly ReceivedRecord[], now = new Date()): Promise<void> {
    const replies = records.flatMap((record) => {
      const reply = readSurveyReply(record.value);
      if (reply === undefined) this.logger.warn({ partition: record.partition, offset: record.offset }, 'skipped an inbound record this version cannot read');
      return reply !== undefined && isTwoWay(reply.channel) ? [reply] : [];
    });
    if (replies.length === 0) return;
    const written = await this.em.fork().transactional(async (tx) => {
      const since = new Date(now.getTime() - SURVEY_OPEN_HOURS * 3600_000);
      const openings = await this.store.openings(tx, replies.map((r) => ({ contactHash: r.fromHash, channel: r.channel })), since);
      if (openings.length === 0) return [];
      const surveys = await this.store.byIds(openings.map((o) => o.surveyId), tx);
      const walks = new Map<string, Walk>();
      for (const opening of openings) {
        const walk = this.walkOf(opening, surveys.get(opening.surveyId));
        if (walk !== undefined) walks.set(`${opening.contactHash} ${opening.channel}`, walk);
      }
      const messages: { readonly notification: NewNotification; readonly opening: SurveyOpening }[] = [];
      const finished: NewCallbackDelivery[] = [];
      for (const reply of replies) {
        const walk = walks.get(`${reply.fromHash} ${reply.channel}`);
        if (walk === undefined) continue;
        const locale: Locale = isLocale(walk.opening.locale) ? walk.opening.locale : 'id';
        const step = stepSurvey(walk.definition, walk.progress, reply, locale);
        if (step.progress === walk.progress) continue;
        walk.progress = step.progress;
        walk.changed = true;
        if (step.say !== null) messages.push({ notification: surveyMessage(walk.opening, step.say, locale), opening: walk.opening });
        if (step.finished !== null) finished.push(responseCallback(walk, step.finished, now));
      }
      const changed = [...walks.values()].filter((w) => w.changed);
      if (changed.length === 0) return [];
      await this.store.saveSessions(tx, changed.map((w) => sessionWrite(w, now)), now);
      await this.store.addMessages(tx, messages.map((m) => m.notification), now);
      await this.callbacks.enqueueIn(tx, finished, now);
      // Keyed by citizen, as ingest keys a citizen's notifications: one citizen's messages stay in order.
      const records: BusRecord[] = messages.flatMap(({ notification: n, opening }) => [
        dispatchRecord(n.citizenId, [n.id]),
        statusRecord({ agency: opening.agencyCode, eventId: n.eventId, source: opening.source, id: opening.ceId, notificationId: n.id, state: 'accepted', reason: null, channel: n.channel, at: now.toISOString() }),
      ]);
      return this.outbox.enqueue(tx, records);
    });
    this.relay.handOff(written);
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

const isState = (v: string): v is SurveyState => v === 'open' || v === 'completed' || v === 'abandoned';

/**
 * A message of the survey as a notification on the same event, to the same contact point on the same channel, in the
 * role `survey`. It has no message class, so it counts against no frequency limit: the citizen asked for it by
 * replying.
 */
function surveyMessage(opening: SurveyOpening, body: string, locale: Locale): NewNotification {
  return {
    id: timeOrderedId(),
    eventId: opening.eventId,
    agencyId: opening.agencyId,
    citizenId: opening.citizenId,
    contactPointId: opening.contactPointId,
    channel: opening.channel,
    locale,
    templateVersion: null,
    state: 'accepted',
    reason: null,
    renderedSubject: null,
    renderedBody: body,
    renderedHtml: null,
    recipientRole: 'survey',
    onBehalfOf: null,
    messageClass: null,
    decisions: [],
    dedupKeyHash: null,
    dueAt: null,
    mergedInto: null,
    fallback: [],
    fallbackAfterSeconds: null,
  };
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
    expiresAt: new Date(opening.askedAt.getTime() + SURVEY_OPEN_HOURS * 3600_000),
  };
}

/** The finished survey as a structured CloudEvent for the agency's callback, signed and retried like statuses. */
function responseCallback(walk: Walk, state: SurveyResponseEvent['state'], now: Date): NewCallbackDelivery {
  const { opening } = walk;
  const data: SurveyResponseEvent = {
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
  };
  const webhookId = `survey.${walk.sessionId}`;
  const event = {
    specversion: '1.0',
    id: webhookId,
    source: KABAR_SOURCE,
    type: SURVEY_RESPONSE_TYPE,
    subject: opening.notificationId,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    kabaragency: opening.agencyCode,
    data,
  };
  return { agencyId: opening.agencyId, webhookId, payload: JSON.stringify(event) };
}
