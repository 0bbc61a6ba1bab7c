import {
  type AuditActor,
  checkAnswer,
  checkRoute,
  complaintAnswer,
  complaintClosed,
  complaintRates,
  complaintReceived,
  complaintReference,
  type ComplaintThread,
  complaintTransferred,
  complaintUnrouted,
  isComplaintState,
  isLocale,
  isTwoWay,
  isUuid,
  keywordsAt,
  type Locale,
  type Logger,
  placeMessage,
  routeFor,
  SecretBox,
  timeOrderedId,
} from '@kabar/core';
import { type BusRecord, OutboxRelay } from '@kabar/messaging';
import {
  appendAudit,
  CallbackRepository,
  COMPLAINT_SOURCE,
  type ComplaintMessageRow,
  type ComplaintPerformanceRow,
  ComplaintRepository,
  type ComplaintRow,
  type DeskAgency,
  type InboundRouteRow,
  type NewCallbackDelivery,
  type NewComplaint,
  type NewComplaintMessage,
  type NewNotification,
  OutboxRepository,
  RateCounterRepository,
} from '@kabar/persistence';
import { CHANNELS, PluginError, type ProviderMedia } from '@kabar/plugin-sdk';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { AgencyError, AgencyErrorCode } from '../agencies/agency.errors.js';
import { ROOT_LOGGER } from '../config/config.module.js';
import { answerNotification } from '../delivery/answer-notification.js';
import { PLUGIN_REGISTRY } from '../delivery/delivery.tokens.js';
import type { InboundMessage } from '../delivery/inbound-record.js';
import type { PluginRegistry } from '../delivery/plugin-registry.js';
import { kabarEventJson, statusRecord } from '../delivery/status-event.js';
import { dispatchRecord } from '../ingest/ingest.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ComplaintError, ComplaintErrorCode } from './complaint.errors.js';

/** What an agency's callback receives of each message a citizen adds to one of its complaints. */
export const COMPLAINT_MESSAGE_TYPE = 'id.kabar.complaint.message.v1';

/** What the receiving agency's callback gets when a complaint is handed to it. */
export const COMPLAINT_TRANSFER_TYPE = 'id.kabar.complaint.transferred.v1';

/** The most complaints an agency reads in one page. */
export const COMPLAINT_PAGE_LIMIT = 100;

/** How one agency handled its complaints, with the rates it is judged by. */
export interface ComplaintPerformance extends Omit<ComplaintPerformanceRow, 'medianFirstAnswerSeconds'> {
  readonly answerRate: number | null;
  readonly inTimeRate: number | null;
  readonly medianFirstAnswerHours: number | null;
}

/** A complaint with its thread, as its agency reads it. */
export interface ComplaintView extends ComplaintRow {
  readonly reference: string;
  readonly messages: readonly ComplaintMessageRow[];
}

/** What the agency's callback receives: which complaint, whether this message opened it, and what the citizen sent. */
export interface ComplaintMessageEvent {
  readonly complaintId: string;
  readonly reference: string;
  readonly opened: boolean;
  readonly channel: string;
  /** The address belongs to a registered citizen (who is not named: the agency answers through Kabar). */
  readonly registered: boolean;
  readonly message: { readonly id: string; readonly kind: string; readonly text: string | null; readonly media: InboundMessage['media']; readonly receivedAt: string };
}

/** What became of one of citizens' own messages, for the metrics. */
export interface DeskOutcome {
  readonly channel: string;
  readonly outcome: 'opened' | 'joined' | 'unrouted';
}

/** A message no route took, and what its sender is told: the keywords the address they wrote to takes. */
export interface UnroutedReply {
  readonly message: InboundMessage;
  readonly locale: Locale;
  readonly body: string;
}

/** The bus records of the messages the desk sends, what became of each citizen message, and the ones to answer. */
export interface Routed {
  readonly records: BusRecord[];
  readonly outcomes: readonly DeskOutcome[];
  readonly unrouted: readonly UnroutedReply[];
}

/** The event type the keyword reply is sent under: Kabar's own, as one-time codes are. */
export const UNROUTED_REPLY_TYPE = 'kabar.complaint.unrouted';

/** A complaint handed to the agency: who handed it over, why, and the thread so far (never the citizen's address). */
export interface ComplaintTransferEvent {
  readonly complaintId: string;
  readonly reference: string;
  readonly from: string;
  readonly note: string | null;
  readonly channel: string;
  readonly registered: boolean;
  readonly messages: readonly { readonly direction: string; readonly kind: string; readonly text: string | null; readonly media: unknown; readonly at: string }[];
}

interface Placed {
  readonly message: InboundMessage;
  readonly complaintId: string;
  readonly opened: boolean;
}

/**
 * The complaint desk. Citizens' own messages (SMS to a short code, WhatsApp to an agency's number: not replies to a
 * notification, not survey answers) are routed by the admins' inbound routes to one agency, which hears of each
 * message at its callback URL and answers through `answerComplaint`; Kabar carries the answer back to the address the
 * citizen wrote from, registered or not, on the channel they used. A citizen's later messages join their live thread.
 *
 * A batch is placed in the inbound stage's transaction, keyed by the inbound record ids, so a redelivered batch adds
 * nothing. The citizen's address is kept sealed on the complaint and never leaves the hub.
 */
@Injectable()
export class ComplaintDesk {
  private readonly store: ComplaintRepository;
  private readonly callbacks: CallbackRepository;
  private readonly outbox: OutboxRepository;
  private readonly counters: RateCounterRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly relay: OutboxRelay,
    private readonly metrics: MetricsService,
    private readonly box: SecretBox,
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.store = new ComplaintRepository(em);
    this.callbacks = new CallbackRepository(em);
    this.outbox = new OutboxRepository(em);
    this.counters = new RateCounterRepository(em);
  }

  /**
   * Places the citizens' own messages in `tx`: each joins its address's live thread or opens a complaint by its
   * route (and the citizen is told its reference); each reaches the agency's callback. Returns the bus records of the
   * messages sent. A message no route takes is not kept; where the address takes keywords, its sender is to be told
   * them (`answerUnrouted`, once the transaction has committed).
   */
  async routeIn(tx: EntityManager, messages: readonly InboundMessage[], now: Date): Promise<Routed> {
    const own = messages.filter((m) => isTwoWay(m.channel) && m.inReplyToEvent === null && m.fromSealed !== null && ((m.text ?? '').trim() !== '' || m.media !== null));
    const outcomes: DeskOutcome[] = [];
    const unrouted: UnroutedReply[] = [];
    const none = { records: [], outcomes, unrouted };
    if (own.length === 0) return none;
    const recorded = await this.store.recorded(tx, own.map((m) => m.id));
    const fresh = own.filter((m) => !recorded.has(m.id));
    if (fresh.length === 0) return none;
    const routes = await this.store.routes(tx);
    const threads = new Map<string, ComplaintThread>();
    for (const t of await this.store.threads(tx, fresh)) {
      if (isComplaintState(t.state)) threads.set(`${t.fromHash} ${t.channel}`, { id: t.id, agencyId: t.agencyId, state: t.state, lastActivityAt: t.lastActivityAt });
    }
    const known = await this.store.knownSenders(tx, fresh.map((m) => m.fromHash));
    const opened: NewComplaint[] = [];
    const placed: Placed[] = [];
    const lost: { message: InboundMessage; choices: InboundRouteRow[] }[] = [];
    const complaintAgency = new Map<string, string>();
    for (const t of threads.values()) complaintAgency.set(t.id, t.agencyId);
    for (const message of fresh) {
      const key = `${message.fromHash} ${message.channel}`;
      const placement = placeMessage<InboundRouteRow>(threads.get(key), routeFor(routes, message), now);
      outcomes.push({ channel: message.channel, outcome: placement.kind === 'open' ? 'opened' : placement.kind === 'join' ? 'joined' : 'unrouted' });
      if (placement.kind === 'unrouted') {
        const choices = keywordsAt(routes, message);
        this.logger.info({ channel: message.channel, plugin: message.plugin, keywords: choices.length }, 'a citizen message matched no inbound route and was dropped');
        if (choices.length > 0) lost.push({ message, choices });
        continue;
      }
      const complaintId = placement.kind === 'join' ? placement.thread.id : timeOrderedId();
      if (placement.kind === 'open') {
        const sender = known.get(message.fromHash);
        opened.push({
          id: complaintId,
          agencyId: placement.route.agencyId,
          eventId: timeOrderedId(),
          channel: message.channel,
          plugin: message.plugin,
          fromHash: message.fromHash,
          fromSealed: message.fromSealed ?? '',
          replyFrom: message.to,
          citizenId: sender?.citizenId ?? null,
          locale: sender?.locale ?? '',
        });
        complaintAgency.set(complaintId, placement.route.agencyId);
      }
      threads.set(key, { id: complaintId, agencyId: complaintAgency.get(complaintId) ?? '', state: 'open', lastActivityAt: now });
      placed.push({ message, complaintId, opened: placement.kind === 'open' });
    }
    const agencies = await this.store.agencies(tx, [...complaintAgency.values(), ...lost.flatMap((l) => l.choices.map((r) => r.agencyId))]);
    for (const { message, choices } of lost) {
      const spoken = known.get(message.fromHash)?.locale;
      const locale: Locale = spoken !== undefined && isLocale(spoken) ? spoken : 'id';
      unrouted.push({ message, locale, body: complaintUnrouted(choices.map((r) => ({ keyword: r.keyword, agencyName: agencies.get(r.agencyId)?.name ?? r.agencyCode })), locale) });
    }
    if (placed.length === 0) return none;
    // A citizen the hub does not know reads the agency's language.
    const fresher = opened.map((c) => ({ ...c, locale: c.locale !== '' ? c.locale : (agencies.get(c.agencyId)?.defaultLocale ?? 'id') }));
    const numbers = await this.store.open(tx, fresher, now);
    const existing = placed.filter((p) => !p.opened).map((p) => p.complaintId);
    await this.store.reopen(tx, existing, now);
    const references = new Map([...numbers, ...(await this.store.numbers(tx, existing))]);
    await this.store.addMessages(tx, placed.map(({ message: m, complaintId }) => ({ id: m.id, complaintId, direction: 'in', kind: m.kind, text: m.text, media: m.media, notificationId: null, at: m.receivedAt })));
    await this.callbacks.enqueueIn(
      tx,
      placed.flatMap((p) => {
        const agency = agencies.get(complaintAgency.get(p.complaintId) ?? '');
        const number = references.get(p.complaintId);
        return agency === undefined || number === undefined ? [] : [messageCallback(p, agency, complaintReference(number), known.has(p.message.fromHash))];
      }),
      now,
    );
    // Each complaint opened is acknowledged once, with the reference the citizen quotes.
    const acknowledgements = fresher.flatMap((c) => {
      const agency = agencies.get(c.agencyId);
      const number = numbers.get(c.id);
      if (agency === undefined || number === undefined) return [];
      const locale: Locale = isLocale(c.locale) ? c.locale : 'id';
      const words = complaintReceived(complaintReference(number), agency.name, locale);
      return [outgoing({ ...c, agencyCode: agency.code, locale }, words, words)];
    });
    return { records: await this.send(tx, acknowledgements, now), outcomes, unrouted };
  }

  /**
   * Tells the senders of messages no route took which keywords the address takes, through the plugin the message
   * came in on and from the address it was sent to. At most once a day per address and channel, counted across
   * instances, so an auto-responder on the other end cannot start a loop; best effort, as one-time codes are: a
   * failure is logged (without the address) and not retried.
   */
  async answerUnrouted(replies: readonly UnroutedReply[], now = new Date()): Promise<void> {
    const day = Math.floor(now.getTime() / 86_400_000);
    for (const { message, locale, body } of replies) {
      const channel = CHANNELS.find((c) => c === message.channel);
      const route = this.plugins.lookup(message.plugin) ?? this.plugins.route(message.channel);
      if (channel === undefined || route === undefined || message.fromSealed === null) continue;
      const bucket = `unrouted-${channel}-${String(day)}`;
      const counted = await this.counters.add(`u:${message.fromHash.slice(0, 36)}`, 1, [{ name: bucket, expiresAt: new Date((day + 2) * 86_400_000) }]);
      if ((counted.get(bucket) ?? 0) > 1) continue;
      const reply = {
        notificationId: message.id,
        idempotencyKey: `unrouted.${message.id}`,
        channel,
        to: this.box.decrypt(message.fromSealed),
        ...(channel === 'sms' && message.to !== null ? { sender: message.to } : {}),
        locale,
        body,
        agencyCode: 'kabar',
        eventType: UNROUTED_REPLY_TYPE,
        eventId: message.id,
        metadata: { messageClass: 'transactional' },
      };
      try {
        const [outcome] = await route.provider.send([reply]);
        if (outcome?.status !== 'sent') this.logger.warn({ message: message.id, plugin: route.pluginId, error: outcome?.error.code }, 'the plugin refused the keyword reply to an unrouted message');
      } catch (error) {
        this.logger.warn({ message: message.id, plugin: route.pluginId, error: error instanceof Error ? error.name : 'unknown' }, 'the plugin failed to send the keyword reply to an unrouted message');
      }
    }
  }

  /** Places messages that did not come through the inbound stage (the demo's), in a transaction of their own. */
  async receive(messages: readonly InboundMessage[], now = new Date()): Promise<void> {
    const written = await this.em.fork().transactional(async (tx) => {
      const routed = await this.routeIn(tx, messages, now);
      return { rows: await this.outbox.enqueue(tx, routed.records), outcomes: routed.outcomes, unrouted: routed.unrouted };
    });
    this.relay.handOff(written.rows);
    this.count(written.outcomes);
    await this.answerUnrouted(written.unrouted, now);
  }

  /** Counts, once committed, what became of citizens' own messages (`kabar_citizen_messages_total`). */
  count(outcomes: readonly DeskOutcome[]): void {
    for (const o of outcomes) this.metrics.citizenMessages.inc({ channel: o.channel, outcome: o.outcome });
  }

  /**
   * The agency answers one of its complaints (and closes it with `close`): the answer goes to the citizen on the
   * channel and address they wrote from. Refused with COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED or
   * COMPLAINT_ANSWER_INVALID, and then nothing changes.
   */
  async answer(agencyId: string, complaintId: string, text: string | null, close: boolean, actor: AuditActor, now = new Date()): Promise<ComplaintView> {
    if (!isUuid(complaintId)) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    const checked = text === null ? null : checkAnswer(text);
    if (checked !== null && 'problem' in checked) throw new ComplaintError(ComplaintErrorCode.AnswerInvalid, checked.problem);
    if (checked === null && !close) throw new ComplaintError(ComplaintErrorCode.AnswerInvalid, 'the answer is empty');
    const written = await this.em.fork().transactional(async (tx) => {
      const complaint = await this.store.one(tx, { agencyId }, complaintId, true);
      if (complaint === null) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
      if (complaint.state === 'closed') throw new ComplaintError(ComplaintErrorCode.Closed, `complaint ${complaintReference(complaint.number)} is closed`);
      if (complaint.fromSealed === null) throw new ComplaintError(ComplaintErrorCode.Closed, `complaint ${complaintReference(complaint.number)} was purged under the retention policy`);
      const reference = complaintReference(complaint.number);
      const locale: Locale = isLocale(complaint.locale) ? complaint.locale : 'id';
      const words = close ? complaintClosed(reference, complaint.agencyName, checked?.text ?? null, locale) : complaintAnswer(reference, complaint.agencyName, checked?.text ?? '');
      const message = outgoing({ ...complaint, fromSealed: complaint.fromSealed, locale }, words, checked?.text ?? null);
      await this.store.setState(tx, complaint.id, close ? 'closed' : 'answered', checked !== null, now);
      // The answer's words stay in the thread; the trail says who answered, not what.
      await appendAudit(tx, {
        action: checked === null ? 'complaint.closed' : 'complaint.answered',
        actor,
        agencyId,
        target: { kind: 'complaint', id: reference },
        details: checked === null ? {} : { close, characters: checked.text.length },
      }, now);
      return this.outbox.enqueue(tx, await this.send(tx, [message], now));
    });
    this.relay.handOff(written);
    const view = await this.one(agencyId, complaintId);
    if (view === null) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    return view;
  }

  /**
   * The agency hands one of its complaints to the agency responsible (a city's complaint desk to its public works
   * office): from now on only that one sees and answers it. The citizen is told who will answer, and the new agency's
   * callback receives the thread so far with the note. Refused with COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED,
   * COMPLAINT_TRANSFER_INVALID (to itself), AGENCY_NOT_FOUND or COMPLAINT_ANSWER_INVALID (a note over the limit).
   */
  async transfer(agencyId: string, complaintId: string, toCode: string, note: string | null, actor: AuditActor, now = new Date()): Promise<void> {
    if (!isUuid(complaintId)) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    const checkedNote = note === null || note.trim() === '' ? null : checkAnswer(note);
    if (checkedNote !== null && 'problem' in checkedNote) throw new ComplaintError(ComplaintErrorCode.AnswerInvalid, `the note: ${checkedNote.problem}`);
    const targetId = await this.store.agencyIdOf(toCode);
    if (targetId === null) throw new AgencyError(AgencyErrorCode.NotFound, `no agency "${toCode}"`);
    if (targetId === agencyId) throw new ComplaintError(ComplaintErrorCode.TransferInvalid, 'the complaint is already yours');
    const thread = (await this.store.messages([complaintId])).get(complaintId) ?? [];
    const written = await this.em.fork().transactional(async (tx) => {
      const complaint = await this.store.one(tx, { agencyId }, complaintId, true);
      if (complaint === null) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
      if (complaint.state === 'closed' || complaint.fromSealed === null) throw new ComplaintError(ComplaintErrorCode.Closed, `complaint ${complaintReference(complaint.number)} is closed`);
      const target = (await this.store.agencies(tx, [targetId])).get(targetId);
      if (target === undefined) throw new AgencyError(AgencyErrorCode.NotFound, `no agency "${toCode}"`);
      const reference = complaintReference(complaint.number);
      const locale: Locale = isLocale(complaint.locale) ? complaint.locale : 'id';
      await this.store.transfer(tx, complaint.id, complaint.eventId, target.id, now);
      const words = complaintTransferred(reference, target.name, locale);
      const message = outgoing({ ...complaint, agencyId: target.id, agencyCode: target.code, fromSealed: complaint.fromSealed, locale }, words, words);
      const data: ComplaintTransferEvent = {
        complaintId: complaint.id,
        reference,
        from: complaint.agencyCode,
        note: checkedNote?.text ?? null,
        channel: complaint.channel,
        registered: complaint.registered,
        messages: thread.map((m) => ({ direction: m.direction, kind: m.kind, text: m.text, media: m.media, at: m.at.toISOString() })),
      };
      const webhookId = `complaint.transfer.${message.notification.id}`;
      const payload = kabarEventJson({ id: webhookId, type: COMPLAINT_TRANSFER_TYPE, subject: complaint.id, time: now.toISOString(), agency: target.code, data });
      await this.callbacks.enqueueIn(tx, [{ agencyId: target.id, webhookId, payload }], now);
      await appendAudit(tx, { action: 'complaint.transferred', actor, agencyId, target: { kind: 'complaint', id: reference }, details: { to: target.code, note: data.note !== null } }, now);
      return this.outbox.enqueue(tx, await this.send(tx, [message], now));
    });
    this.relay.handOff(written);
  }

  /**
   * A file the citizen sent with one of the agency's complaints, fetched from the channel's provider as it is asked
   * for (Kabar keeps no copy). Refused with COMPLAINT_NOT_FOUND, MEDIA_NOT_FOUND (no message of the complaint has that
   * file) or MEDIA_UNAVAILABLE (the provider could not give it, or the channel cannot fetch files).
   */
  async media(agencyId: string, complaintId: string, mediaId: string): Promise<ProviderMedia> {
    const complaint = isUuid(complaintId) ? await this.store.one(this.em.fork(), { agencyId }, complaintId) : null;
    if (complaint === null) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    const thread = (await this.store.messages([complaint.id])).get(complaint.id) ?? [];
    if (!thread.some((m) => mediaIdOf(m.media) === mediaId)) throw new ComplaintError(ComplaintErrorCode.MediaNotFound, 'no file of that id in this complaint');
    const provider = this.plugins.lookup(complaint.plugin)?.provider;
    if (provider?.fetchMedia === undefined) throw new ComplaintError(ComplaintErrorCode.MediaUnavailable, `the ${complaint.channel} channel's plugin cannot fetch files`);
    try {
      return await provider.fetchMedia(mediaId);
    } catch (error) {
      const code = error instanceof PluginError ? error.code : 'PLUGIN_FAILED';
      this.logger.warn({ plugin: complaint.plugin, code }, 'a complaint file could not be fetched');
      throw new ComplaintError(ComplaintErrorCode.MediaUnavailable, `the file could not be fetched (${code}: ${error instanceof Error ? error.message : 'plugin failed'})`);
    }
  }

  async one(agencyId: string, complaintId: string): Promise<ComplaintView | null> {
    if (!isUuid(complaintId)) return null;
    const row = await this.store.one(this.em.fork(), { agencyId }, complaintId);
    return row === null ? null : (await this.withThreads([row]))[0] ?? null;
  }

  /**
   * How agencies handled the complaints opened in [from, to) that they hold now: every agency's, or one's with
   * `agencyId`. The last 30 days when no period is given. COMPLAINT_PERIOD_INVALID for one that ends before it starts.
   */
  async performance(agencyId: string | null, from: Date | null, to: Date | null, now = new Date()): Promise<ComplaintPerformance[]> {
    const end = to ?? now;
    const start = from ?? new Date(end.getTime() - 30 * 86_400_000);
    if (start.getTime() >= end.getTime()) throw new ComplaintError(ComplaintErrorCode.PeriodInvalid, '`from` must be before `to`');
    const rows = await this.store.performance(agencyId, start, end);
    return rows.map((r) => ({
      ...r,
      ...complaintRates(r),
      medianFirstAnswerHours: r.medianFirstAnswerSeconds === null ? null : Math.round(r.medianFirstAnswerSeconds / 360) / 10,
    }));
  }

  /** The agency's complaints, newest first, in one state or all, before the one numbered `before`; only those overdue at `overdueAt` if given. */
  async page(agencyId: string, state: string | null, before: number | null, first: number, overdueAt: Date | null = null): Promise<ComplaintView[]> {
    return this.withThreads(await this.store.page(agencyId, state, before, Math.min(Math.max(first, 1), COMPLAINT_PAGE_LIMIT), overdueAt));
  }

  /**
   * The citizen adds to one of their own complaints from the preference centre: the words join the thread as theirs,
   * the complaint waits for its agency again, and the agency's callback hears of it as of any message. Refused with
   * COMPLAINT_NOT_FOUND (none, or another's), COMPLAINT_CLOSED or COMPLAINT_ANSWER_INVALID (empty, or too long).
   */
  async addFromCitizen(citizenId: string, complaintId: string, text: string, now = new Date()): Promise<ComplaintView> {
    if (!isUuid(complaintId)) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    const checked = checkAnswer(text);
    if ('problem' in checked) throw new ComplaintError(ComplaintErrorCode.AnswerInvalid, checked.problem);
    await this.em.fork().transactional(async (tx) => {
      const complaint = await this.store.one(tx, { citizenId }, complaintId, true);
      if (complaint === null) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
      if (complaint.state === 'closed' || complaint.fromSealed === null) throw new ComplaintError(ComplaintErrorCode.Closed, `complaint ${complaintReference(complaint.number)} is closed`);
      const message: InboundMessage = { id: timeOrderedId(), plugin: '', channel: complaint.channel, fromHash: '', fromSealed: null, to: null, kind: 'text', text: checked.text, payload: null, media: null, inReplyToEvent: null, receivedAt: now };
      await this.store.addMessages(tx, [{ id: message.id, complaintId, direction: 'in', kind: 'text', text: checked.text, media: null, notificationId: null, at: now }]);
      await this.store.reopen(tx, [complaintId], now);
      const agency = { id: complaint.agencyId, code: complaint.agencyCode, name: complaint.agencyName, defaultLocale: complaint.locale };
      await this.callbacks.enqueueIn(tx, [messageCallback({ message, complaintId, opened: false }, agency, complaintReference(complaint.number), true)], now);
    });
    this.metrics.citizenMessages.inc({ channel: 'web', outcome: 'joined' });
    const view = (await this.ofCitizen(citizenId)).find((c) => c.id === complaintId);
    if (view === undefined) throw new ComplaintError(ComplaintErrorCode.NotFound, 'no such complaint');
    return view;
  }

  /** The signed-in citizen's own complaints, newest first, with their threads. */
  async ofCitizen(citizenId: string): Promise<ComplaintView[]> {
    return this.withThreads(await this.store.ofCitizen(citizenId, COMPLAINT_PAGE_LIMIT));
  }

  routes(): Promise<InboundRouteRow[]> {
    return this.store.routes();
  }

  async setRoute(agencyCode: string, channel: string, to: string, keyword: string, actor: AuditActor): Promise<InboundRouteRow> {
    const agencyId = await this.store.agencyIdOf(agencyCode);
    if (agencyId === null) throw new AgencyError(AgencyErrorCode.NotFound, `no agency "${agencyCode}"`);
    const checked = checkRoute({ agencyId, channel, to, keyword });
    if ('problem' in checked) throw new ComplaintError(ComplaintErrorCode.RouteInvalid, checked.message, { problems: [{ field: checked.problem, message: checked.message }] });
    return this.store.setRoute(checked.route, (row) => ({
      action: 'inbound_route.set',
      actor,
      agencyId,
      target: { kind: 'inbound_route', id: row.id },
      details: { channel: row.channel, to: row.to, keyword: row.keyword },
    }));
  }

  async removeRoute(id: string, actor: AuditActor): Promise<void> {
    const removed =
      isUuid(id) &&
      (await this.store.removeRoute(id, (route) =>
        route === null ? null : { action: 'inbound_route.removed', actor, agencyId: route.agencyId, target: { kind: 'inbound_route', id }, details: { channel: route.channel, to: route.to, keyword: route.keyword } },
      ));
    if (!removed) throw new ComplaintError(ComplaintErrorCode.RouteNotFound, 'no inbound route of that id');
  }

  private async withThreads(rows: readonly ComplaintRow[]): Promise<ComplaintView[]> {
    const threads = await this.store.messages(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, reference: complaintReference(r.number), messages: threads.get(r.id) ?? [] }));
  }

  /**
   * Writes the desk's messages to citizens as notifications (role `complaint`, no message class: the citizen asked for
   * them by writing) with their place in the thread, and returns their dispatch and `accepted` status records.
   */
  private async send(tx: EntityManager, messages: readonly Outgoing[], now: Date): Promise<BusRecord[]> {
    if (messages.length === 0) return [];
    await this.store.addNotifications(tx, messages.map((m) => m.notification), now);
    await this.store.addMessages(tx, messages.map((m) => m.threadEntry));
    return messages.flatMap(({ notification: n, complaint: c }) => [
      // Keyed as ingest keys a citizen's notifications; an unregistered sender by their complaint.
      dispatchRecord(c.citizenId ?? c.id, [n.id]),
      statusRecord({ agency: c.agencyCode, eventId: c.eventId, source: COMPLAINT_SOURCE, id: c.id, notificationId: n.id, state: 'accepted', reason: null, channel: c.channel, at: now.toISOString() }),
    ]);
  }
}

/** What a message to a citizen about a complaint needs to know of it. */
interface OutgoingComplaint {
  readonly id: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly eventId: string;
  readonly channel: string;
  readonly fromSealed: string;
  readonly replyFrom: string | null;
  readonly citizenId: string | null;
  readonly locale: Locale;
}

interface Outgoing {
  readonly complaint: OutgoingComplaint;
  readonly notification: NewNotification;
  readonly threadEntry: NewComplaintMessage;
}

/**
 * One message to the complaint's sender: a notification to the address they wrote from (sealed on it, as it may be
 * no contact point), from the short code they wrote to when the channel has sender addresses (SMS), so they can reply.
 * The thread keeps `threadText`: the agency's own words, or the whole of what Kabar wrote for it.
 */
function outgoing(c: OutgoingComplaint, body: string, threadText: string | null): Outgoing {
  const notification = answerNotification(
    {
      eventId: c.eventId,
      agencyId: c.agencyId,
      citizenId: c.citizenId,
      contactPointId: null,
      channel: c.channel,
      locale: c.locale,
      recipientRole: 'complaint',
      addressSealed: c.fromSealed,
      sender: c.channel === 'sms' ? c.replyFrom : null,
    },
    body,
  );
  const threadEntry: NewComplaintMessage = { id: timeOrderedId(), complaintId: c.id, direction: 'out', kind: 'text', text: threadText, media: null, notificationId: notification.id, at: new Date() };
  return { complaint: c, notification, threadEntry };
}

/** The agency's callback for one citizen message: a structured CloudEvent, signed like status callbacks. */
function messageCallback(placed: Placed, agency: DeskAgency, reference: string, registered: boolean): NewCallbackDelivery {
  const { message: m, complaintId, opened } = placed;
  const data: ComplaintMessageEvent = {
    complaintId,
    reference,
    opened,
    channel: m.channel,
    registered,
    message: { id: m.id, kind: m.kind, text: m.text, media: m.media, receivedAt: m.receivedAt.toISOString() },
  };
  const webhookId = `complaint.${m.id}`;
  return { agencyId: agency.id, webhookId, payload: kabarEventJson({ id: webhookId, type: COMPLAINT_MESSAGE_TYPE, subject: complaintId, time: data.message.receivedAt, agency: agency.code, data }) };
}

/** The provider's id of a file as a thread stores it (`{ id, mimeType }`), if it is one. */
function mediaIdOf(media: unknown): string | undefined {
  const id = typeof media === 'object' && media !== null ? (media as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
