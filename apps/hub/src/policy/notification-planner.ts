import type { KabarConfig } from '@kabar/config';
import {
  appendTo,
  asksSurvey,
  buttonsFor,
  type ChannelName,
  CHANNELS,
  type ChannelTarget,
  chooseLocale,
  type ConsentRecord,
  decide,
  type Decision,
  type DedupHit,
  dedupKeyOf,
  type FrequencyCap,
  isChannel,
  isLocale,
  isMessageClass,
  isTwoWay,
  LAWFUL_BASES,
  type LawfulBasis,
  type Locale,
  type Logger,
  type MessageClass,
  parseSurvey,
  type PlatformPolicy,
  type PolicyCitizen,
  type PolicyEvent,
  type PolicyEventType,
  type PolicyHistory,
  type PolicyResult,
  type Recipient,
  resolveRecipients,
  sandboxChannel,
  SecretBox,
  type SurveyDefinition,
  TemplateRenderer,
  timeOrderedId,
  type TimezoneLabel,
  TIMEZONES,
  withFirstQuestion,
} from '@kabar/core';
import {
  CatalogRepository,
  type CitizenPolicyRow,
  type EventTypeRecord,
  type LatestTemplate,
  type NewJob,
  type NewNotification,
  PolicyRepository,
  type SourceOwner,
  SurveyRepository,
  type SurveyRow,
} from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { PLUGIN_REGISTRY } from '../delivery/delivery.tokens.js';
import type { PluginRegistry } from '../delivery/plugin-registry.js';
import type { DeliveryStatus } from '../delivery/status-event.js';

/** One stored event to plan notifications for. */
export interface PlanInput {
  readonly eventId: string;
  readonly source: string;
  readonly ceId: string;
  readonly type: EventTypeRecord;
  readonly owner: SourceOwner;
  /** The plain subject, used only to compute dedup keys (which are stored hashed). */
  readonly subject: string | null;
  readonly subjectHash: string | null;
  readonly data: unknown;
  readonly receivedAt: Date;
  readonly expiresAt: Date | null;
  readonly notBefore: Date | null;
  /** A broadcast page's recipients; otherwise the subject (and their delegates) are resolved here. */
  readonly audience?: readonly string[];
  /** Test mode: `subject` is a magic sandbox address, not a citizen; see SANDBOX_ADDRESSES. */
  readonly sandbox?: boolean;
}

export interface Plan {
  readonly notifications: NewNotification[];
  readonly statuses: DeliveryStatus[];
  readonly jobs: NewJob[];
  /** Event id -> the state of its subject's notification (what `publishEvent` answers). */
  readonly eventStatus: Map<string, string>;
  /**
   * Set when decisions rest on citizens' history (caps in force, dedup keys): the writer holds it in its transaction
   * (`holdPlan`) and plans again if another writer changed that history meanwhile.
   */
  readonly guard?: PlanGuard;
}

export interface PlanGuard {
  /**
   * In the writer's transaction: locks the plan's citizens (for no key update, in id order, so writers queue rather
   * than deadlock) and reads their history again; false when it is no longer what the plan was made from.
   */
  holds(tx: EntityManager): Promise<boolean>;
}

/**
 * Plans of one write before giving up. A retry means another writer committed for the same citizens meanwhile; the
 * lock wait lets at least one writer through per round, so this covers a hub's concurrent partitions several times
 * over.
 */
export const MAX_PLANS = 10;

/** Thrown inside a write to abandon it: the history its plan rested on changed after it was read. */
export class StalePlan extends Error {
  constructor() {
    super('the citizens\' history changed while the plan was made');
  }
}

/** Holds a plan's guard in the writer's transaction; throws StalePlan when the plan must be made again. */
export async function holdPlan(tx: EntityManager, plan: Plan): Promise<void> {
  if (plan.guard !== undefined && !(await plan.guard.holds(tx))) throw new StalePlan();
}

export type Rendered = Pick<NewNotification, 'locale' | 'templateVersion' | 'renderedSubject' | 'renderedBody' | 'renderedHtml' | 'replyOptions'> & {
  /** Set when the body ends with a survey's first question: the SURVEY_ASKED decision that says which version. */
  readonly asked: Decision | null;
};

/** A survey an event type asks, checked again as it is read (it was checked when saved). */
export interface AskedSurvey {
  readonly row: SurveyRow;
  readonly definition: SurveyDefinition;
}

type Cap = { count: number; periodSeconds: number };

const isTimezone = (v: string): v is TimezoneLabel => v in TIMEZONES;
const isBasis = (v: string): v is LawfulBasis => (LAWFUL_BASES as readonly string[]).includes(v);

/** The virtual citizen a test-mode event addresses: only the magic address, on the channel it stands for. */
const SANDBOX_CITIZEN_ID = '00000000-0000-0000-0000-000000000000';
const SANDBOX_PLATFORM: PlatformPolicy = { caps: {}, quietHours: null, digestAt: 19 * 60, fallbackAfterSeconds: 600 };

function sandboxRecipient(input: PlanInput): Recipient {
  const channel = sandboxChannel(input.subject ?? '');
  return {
    role: 'subject',
    onBehalfOf: null,
    citizen: {
      id: SANDBOX_CITIZEN_ID,
      locale: isLocale(input.owner.defaultLocale) ? input.owner.defaultLocale : 'id',
      timezone: 'WIB',
      quietHours: null,
      digest: false,
      caps: {},
      channelOrder: { '*': [channel] },
      contacts: channel === 'inbox' ? [] : [{ id: SANDBOX_CITIZEN_ID, channel, verified: true }],
      // A test key stands for the agency's own test subjects: consent-based types are testable as well.
      consents: [{ purpose: input.type.purpose, action: 'granted', at: new Date(0), noticeVersion: 'sandbox' }],
    },
  };
}

/** Platform policy from the configuration, in the engine's terms. */
export function platformPolicy(config: KabarConfig): PlatformPolicy {
  const caps: Partial<Record<MessageClass, FrequencyCap>> = {};
  for (const [messageClass, cap] of Object.entries(config.policy.caps)) if (isMessageClass(messageClass)) caps[messageClass] = cap;
  return { caps, quietHours: config.policy.quietHours, digestAt: config.policy.digestAt, fallbackAfterSeconds: config.policy.fallbackAfterSeconds };
}

/** A stored citizen in the engine's terms. Without a chosen channel order, their contact points' own order is it. */
export function policyCitizen(row: CitizenPolicyRow): PolicyCitizen {
  const contacts = row.contacts.flatMap((c) => (isChannel(c.channel) ? [{ id: c.id, channel: c.channel, verified: c.verified }] : []));
  const channelOrder: Record<string, ChannelName[]> = {};
  for (const [category, channels] of Object.entries(row.channelOrder)) channelOrder[category] = channels.filter(isChannel);
  channelOrder['*'] ??= [...new Set(contacts.filter((c) => c.verified).map((c) => c.channel))];
  const caps: Partial<Record<MessageClass, Cap>> = {};
  for (const [messageClass, cap] of Object.entries(row.caps)) if (isMessageClass(messageClass)) caps[messageClass] = cap;
  const consents: ConsentRecord[] = row.consents.flatMap((c) =>
    c.action === 'granted' || c.action === 'withdrawn' ? [{ purpose: c.purpose, action: c.action, at: c.at, noticeVersion: c.noticeVersion }] : [],
  );
  return {
    id: row.id,
    locale: isLocale(row.locale) ? row.locale : 'id',
    timezone: isTimezone(row.timezone) ? row.timezone : 'WIB',
    quietHours: row.quietStart === null || row.quietEnd === null ? null : { start: row.quietStart, end: row.quietEnd },
    digest: row.digest,
    caps,
    channelOrder,
    contacts,
    consents,
  };
}

function policyType(type: EventTypeRecord, owner: SourceOwner, templates: readonly LatestTemplate[]): PolicyEventType {
  return {
    id: type.id,
    type: type.type,
    agencyId: owner.agencyId,
    agencyName: owner.agencyName,
    messageClass: isMessageClass(type.messageClass) ? type.messageClass : 'informational',
    category: type.category,
    purpose: type.purpose,
    basis: isBasis(type.basis) ? type.basis : 'public_task',
    allowedChannels: type.allowedChannels.filter(isChannel),
    templatedChannels: [...new Set(templates.filter((t) => t.eventTypeId === type.id).map((t) => t.channel))].filter(isChannel),
    dedup: type.dedupKey == null || type.dedupWindowSeconds == null ? null : { key: type.dedupKey, windowSeconds: type.dedupWindowSeconds },
    fallbackAfterSeconds: type.fallbackAfterSeconds ?? null,
  };
}

/**
 * Runs the policy engine (libs/core) over a batch of stored events: resolves recipients, reads the history the
 * engine needs in a fixed number of statements, and turns its verdicts into notification rows, status messages and
 * scheduled jobs. Rendering happens here, before any transaction, so templates never hold database locks.
 */
@Injectable()
export class NotificationPlanner {
  private readonly policy: PolicyRepository;
  private readonly catalog: CatalogRepository;
  private readonly surveys: SurveyRepository;
  private readonly renderer = new TemplateRenderer();
  private readonly platform: PlatformPolicy;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    @Inject(KABAR_CONFIG) config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
  ) {
    this.policy = new PolicyRepository(em);
    this.catalog = new CatalogRepository(em);
    this.surveys = new SurveyRepository(em);
    this.platform = platformPolicy(config);
  }

  async plan(all: readonly PlanInput[], now = new Date()): Promise<Plan> {
    const inputs = all.filter((i) => i.sandbox !== true);
    const sandboxed = all.filter((i) => i.sandbox === true);
    const { subjectIds, delegates, citizens: rows } = await this.policy.recipients(
      inputs.flatMap((i) => (i.audience === undefined && i.subjectHash !== null ? [i.subjectHash] : [])),
      inputs.flatMap((i) => i.audience ?? []),
    );
    const citizens = new Map([...rows].map(([id, row]) => [id, policyCitizen(row)]));
    const templates = await this.catalog.latestTemplates([...new Set(inputs.map((i) => i.type.id))]);
    const surveys = await this.surveysFor(inputs.flatMap((i) => (i.type.surveyCode == null ? [] : [i.type.id])));

    const items = inputs.map((input) => ({ input, event: this.policyEvent(input, templates), recipients: this.recipients(input, subjectIds, delegates, citizens) }));
    const { history, active } = await this.history(items, citizens, now);
    // Channels some plugin serves (routes change at run time): a channel without one is never chosen.
    const routed = new Set(CHANNELS.filter((channel) => this.plugins.route(channel) !== undefined));
    const results = decide({ items, history, platform: this.platform, now, newId: () => timeOrderedId(), healthyChannels: routed });
    const sandboxTemplates = sandboxed.length === 0 ? [] : await this.catalog.latestTemplates([...new Set(sandboxed.map((i) => i.type.id))]);
    const sandboxItems = sandboxed.map((input) => ({ input, event: this.policyEvent(input, sandboxTemplates), recipients: [sandboxRecipient(input)] }));
    // The sandbox judges like the real policy, minus quiet hours and caps: a test should answer at once.
    const sandboxResults = decide({ items: sandboxItems, history: { counted: new Map(), dedup: new Map() }, platform: SANDBOX_PLATFORM, now, newId: () => timeOrderedId() });

    const byEvent = new Map<string, PolicyResult[]>();
    for (const result of [...results, ...sandboxResults]) appendTo(byEvent, result.eventId, result);
    const guard: PlanGuard | undefined = active
      ? {
          holds: async (tx) => {
            await this.policy.lockCitizens(tx, [...citizens.keys()]);
            return fingerprint((await this.history(items, citizens, now, tx)).history) === fingerprint(history);
          },
        }
      : undefined;
    const plan: Plan = { notifications: [], statuses: [], jobs: [], eventStatus: new Map(), ...(guard === undefined ? {} : { guard }) };
    for (const { input } of [...items, ...sandboxItems]) {
      const forEvent = byEvent.get(input.eventId) ?? [];
      if (forEvent.length === 0) {
        this.add(plan, input, now, this.unknownSubject(input));
        if (input.audience === undefined) plan.eventStatus.set(input.eventId, 'suppressed');
        continue;
      }
      for (const result of forEvent) {
        const planned = this.notification(input, result, input.sandbox === true ? sandboxTemplates : templates, input.sandbox === true ? undefined : surveys.get(input.type.id));
        // A sandbox notification belongs to no citizen and no contact point: its magic address decides its fate.
        const notification = input.sandbox === true ? { ...planned, citizenId: null, contactPointId: null, sandboxTo: input.subject } : planned;
        this.add(plan, input, now, notification);
        if (result.recipient.role === 'subject') plan.eventStatus.set(input.eventId, notification.state);
      }
      if (!plan.eventStatus.has(input.eventId)) plan.eventStatus.set(input.eventId, input.audience === undefined ? 'suppressed' : 'broadcasting');
    }
    return plan;
  }

  /**
   * The latest version of the survey each type asks, by type id (no query when none does). A stored definition that
   * no longer reads as a survey is logged and not asked, rather than failing the citizen's message.
   */
  async surveysFor(typeIds: readonly string[], em?: EntityManager): Promise<Map<string, AskedSurvey>> {
    const asked = new Map<string, AskedSurvey>();
    if (typeIds.length === 0) return asked;
    for (const [typeId, row] of await this.surveys.forTypes(typeIds, em)) {
      const parsed = parseSurvey(row.definition);
      if ('survey' in parsed) asked.set(typeId, { row, definition: parsed.survey });
      else this.logger.warn({ surveyId: row.id, problems: parsed.problems.length }, 'stored survey does not read as a survey; not asked');
    }
    return asked;
  }

  /**
   * Renders an event's template for one channel in the citizen's language, with fallback to the agency's and `id`.
   * On a channel the citizen can answer on, the type's survey (if any) asks its first question after the message.
   */
  render(eventTypeId: string, channel: string, citizenLocale: string, agencyLocale: string, data: unknown, templates: readonly LatestTemplate[], survey?: AskedSurvey): Rendered | null {
    const forChannel = templates.filter((t) => t.eventTypeId === eventTypeId && t.channel === channel);
    const locales = forChannel.map((t) => t.locale).filter(isLocale);
    const locale: Locale = chooseLocale(isLocale(citizenLocale) ? citizenLocale : 'id', isLocale(agencyLocale) ? agencyLocale : 'id', locales);
    const template = forChannel.find((t) => t.locale === locale);
    if (template === undefined) return null;
    try {
      const rendered = this.renderer.render(template, data ?? {}, locale, template.id);
      const asks = survey !== undefined && asksSurvey(channel);
      return {
        locale,
        templateVersion: template.version,
        renderedSubject: rendered.subject ?? null,
        // On text channels the question is part of the message; the inbox shows it beside the message instead.
        renderedBody: asks && isTwoWay(channel) ? withFirstQuestion(rendered.body, survey.definition, locale) : rendered.body,
        renderedHtml: rendered.html ?? null,
        // Where the channel shows buttons, the first question's answers are offered as such too.
        replyOptions: asks ? buttonsFor(channel, survey.definition.questions[0], locale) : null,
        asked: asks ? { step: 'survey', code: 'SURVEY_ASKED', params: { survey: survey.row.code, version: survey.row.version, surveyId: survey.row.id } } : null,
      };
    } catch (error) {
      this.logger.warn({ eventTypeId, templateVersion: template.version, error: error instanceof Error ? error.message : 'render failed' }, 'template failed to render');
      return null;
    }
  }

  private policyEvent(input: PlanInput, templates: readonly LatestTemplate[]): PolicyEvent {
    return {
      id: input.eventId,
      type: policyType(input.type, input.owner, templates),
      subject: input.subject,
      data: input.data,
      receivedAt: input.receivedAt,
      expiresAt: input.expiresAt,
      notBefore: input.notBefore,
    };
  }

  private recipients(input: PlanInput, subjectIds: ReadonlyMap<string, string>, delegates: ReadonlyMap<string, string[]>, citizens: ReadonlyMap<string, PolicyCitizen>): Recipient[] {
    if (input.audience !== undefined) {
      return input.audience.flatMap((id) => {
        const citizen = citizens.get(id);
        return citizen === undefined ? [] : [{ citizen, role: 'audience' as const, onBehalfOf: null }];
      });
    }
    const subjectId = input.subjectHash === null ? undefined : subjectIds.get(input.subjectHash);
    const subject = subjectId === undefined ? undefined : citizens.get(subjectId);
    const acting = (subjectId === undefined ? [] : (delegates.get(subjectId) ?? [])).flatMap((id) => {
      const delegate = citizens.get(id);
      return delegate === undefined ? [] : [delegate];
    });
    return resolveRecipients(subject, acting);
  }

  /**
   * Cap counts and earlier dedup matches for the batch's recipients: two statements for the whole batch, through `em`
   * when given (a writer's transaction). `active` says whether any decision depends on them.
   */
  private async history(
    items: readonly { input: PlanInput; event: PolicyEvent; recipients: readonly Recipient[] }[],
    citizens: ReadonlyMap<string, PolicyCitizen>,
    now: Date,
    em?: EntityManager,
  ): Promise<{ history: PolicyHistory; active: boolean }> {
    const periods = [
      ...Object.values(this.platform.caps).map((c) => c.periodSeconds),
      ...[...citizens.values()].flatMap((c) => Object.values(c.caps).map((cap) => cap.periodSeconds)),
    ];
    const longest = Math.max(0, ...periods);
    const counted = new Map<string, Map<MessageClass, Date[]>>();
    if (longest > 0) {
      for (const row of await this.policy.counted([...citizens.keys()], new Date(now.getTime() - longest * 1000), em)) {
        if (!isMessageClass(row.messageClass)) continue;
        const perClass = counted.get(row.citizenId) ?? new Map<MessageClass, Date[]>();
        appendTo(perClass, row.messageClass, row.at);
        counted.set(row.citizenId, perClass);
      }
    }
    const pairs: { citizenId: string; keyHash: string }[] = [];
    const plainOf = new Map<string, string>();
    let window = 0;
    for (const { event, recipients } of items) {
      if (event.type.dedup === null) continue;
      const key = dedupKeyOf(event.type.dedup.key, { subject: event.subject, data: event.data });
      if (key === null) continue;
      window = Math.max(window, event.type.dedup.windowSeconds);
      const keyHash = this.box.lookupHash(key);
      plainOf.set(keyHash, key);
      for (const r of recipients) pairs.push({ citizenId: r.citizen.id, keyHash });
    }
    const dedup = new Map<string, DedupHit>();
    for (const hit of await this.policy.dedupHits(pairs, new Date(now.getTime() - window * 1000), em)) {
      const plain = plainOf.get(hit.keyHash);
      if (plain !== undefined) dedup.set(`${hit.citizenId} ${plain}`, { notificationId: hit.notificationId, agencyName: hit.agencyName, at: hit.at });
    }
    return { history: { counted, dedup }, active: longest > 0 || pairs.length > 0 };
  }

  private notification(input: PlanInput, result: PolicyResult, templates: readonly LatestTemplate[], survey: AskedSurvey | undefined): NewNotification {
    const { verdict, recipient } = result;
    const base = {
      id: result.notificationId,
      eventId: input.eventId,
      agencyId: input.owner.agencyId,
      citizenId: recipient.citizen.id,
      recipientRole: recipient.role,
      onBehalfOf: recipient.onBehalfOf,
      messageClass: input.type.messageClass,
      decisions: result.decisions,
      dedupKeyHash: result.dedupKey === null ? null : this.box.lookupHash(result.dedupKey),
      contactPointId: null,
      channel: null,
      locale: null,
      templateVersion: null,
      renderedSubject: null,
      renderedBody: null,
      renderedHtml: null,
      dueAt: null,
      mergedInto: null,
      fallback: [] as ChannelTarget[],
      fallbackAfterSeconds: null,
    };
    switch (verdict.state) {
      case 'suppressed':
        return { ...base, state: 'suppressed', reason: verdict.reason };
      case 'merged':
        return { ...base, state: 'merged', reason: 'MERGED', mergedInto: verdict.mergedInto };
      case 'accepted':
      case 'held':
      case 'deferred': {
        // A digest gathers messages into one: no survey is asked there.
        const asking = verdict.state === 'deferred' ? undefined : survey;
        const rendered = this.render(input.type.id, verdict.target.channel, recipient.citizen.locale, input.owner.defaultLocale, input.data, templates, asking);
        if (rendered === null) return { ...base, channel: verdict.target.channel, state: 'suppressed', reason: 'RENDER_FAILED' };
        const { asked, ...content } = rendered;
        return {
          ...base,
          ...content,
          decisions: asked === null ? base.decisions : [...base.decisions, asked],
          contactPointId: verdict.target.contactPointId,
          channel: verdict.target.channel,
          state: verdict.state,
          reason: verdict.state === 'held' ? 'HELD' : verdict.state === 'deferred' ? 'DEFERRED' : null,
          dueAt: verdict.state === 'accepted' ? null : verdict.dueAt,
          fallback: [...verdict.fallback],
          fallbackAfterSeconds: verdict.fallbackAfterSeconds,
        };
      }
    }
  }

  private unknownSubject(input: PlanInput): NewNotification {
    return {
      id: timeOrderedId(),
      eventId: input.eventId,
      agencyId: input.owner.agencyId,
      citizenId: null,
      recipientRole: 'subject',
      onBehalfOf: null,
      messageClass: input.type.messageClass,
      decisions: [],
      dedupKeyHash: null,
      contactPointId: null,
      channel: null,
      locale: null,
      templateVersion: null,
      state: 'suppressed',
      reason: input.audience === undefined ? 'UNKNOWN_SUBJECT' : 'EMPTY_AUDIENCE',
      renderedSubject: null,
      renderedBody: null,
      renderedHtml: null,
      dueAt: null,
      mergedInto: null,
      fallback: [],
      fallbackAfterSeconds: null,
    };
  }

  /** Adds a notification with the status message and the waiting it implies. */
  private add(plan: Plan, input: PlanInput, now: Date, n: NewNotification): void {
    plan.notifications.push(n);
    plan.statuses.push({
      agency: input.owner.agencyCode,
      eventId: input.eventId,
      source: input.source,
      id: input.ceId,
      notificationId: n.id,
      state: n.state as DeliveryStatus['state'],
      reason: n.reason,
      channel: n.channel,
      at: now.toISOString(),
    });
    if (n.state === 'held' && n.dueAt !== null) plan.jobs.push({ kind: 'release', ref: n.id, dueAt: n.dueAt });
    if (n.state === 'deferred' && n.dueAt !== null && n.citizenId !== null) plan.jobs.push({ kind: 'digest', ref: n.citizenId, dueAt: n.dueAt });
    if (n.state === 'accepted' && n.fallback.length > 0 && n.fallbackAfterSeconds !== null) {
      plan.jobs.push({ kind: 'fallback', ref: n.id, dueAt: new Date(now.getTime() + n.fallbackAfterSeconds * 1000) });
    }
  }
}

/** The history as comparable text: cap counts per citizen and class, and which notification each dedup key met. */
function fingerprint(history: PolicyHistory): string {
  const counted = [...history.counted].flatMap(([citizen, perClass]) => [...perClass].map(([messageClass, times]) => `${citizen} ${messageClass} ${times.map((t) => t.getTime()).sort().join(',')}`));
  const dedup = [...history.dedup].map(([key, hit]) => `${key} ${hit.notificationId}`);
  return [...counted.sort(), '|', ...dedup.sort()].join('\n');
}
