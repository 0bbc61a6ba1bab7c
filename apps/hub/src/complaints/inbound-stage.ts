import type { KabarConfig } from '@kabar/config';
import type { Logger } from '@kabar/core';
import { type Bus, OutboxRelay, type ReceivedRecord, type Subscription, TOPICS } from '@kabar/messaging';
import { OutboxRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { type InboundMessage, readInbound } from '../delivery/inbound-record.js';
import { SurveyRunner } from '../surveys/survey-runner.js';
import { ComplaintDesk } from './complaint-desk.js';

export const INBOUND_GROUP_ID = 'kabar-inbound';

/**
 * The inbound stage (ARCHITECTURE §3: `[inbound] ──▶ survey / complaint routing`), in the worker roles: each batch of
 * citizens' messages from `kabar.inbound.v1` is one transaction in which the survey stage takes the answers to open
 * surveys first and the complaint desk places the rest, with one outbox write for what both send. Replies that answer
 * a notification reach the agency through the callback stage; this stage leaves them to it.
 */
@Injectable()
export class InboundStage implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly outbox: OutboxRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly surveys: SurveyRunner,
    private readonly desk: ComplaintDesk,
    private readonly relay: OutboxRelay,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.outbox = new OutboxRepository(em);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.bus.subscribe({ groupId: INBOUND_GROUP_ID, topics: [TOPICS.inbound], handler: (records) => this.handle(records) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async handle(records: readonly ReceivedRecord[], now = new Date()): Promise<void> {
    const messages = records.flatMap((record): InboundMessage[] => {
      const message = readInbound(record.value);
      if (message === undefined) this.logger.warn({ partition: record.partition, offset: record.offset }, 'skipped an inbound record this version cannot read');
      return message === undefined ? [] : [message];
    });
    if (messages.length === 0) return;
    const written = await this.em.fork().transactional(async (tx) => {
      const surveyed = await this.surveys.stepIn(tx, messages, now);
      const routed = await this.desk.routeIn(tx, messages.filter((m) => !surveyed.taken.has(m.id)), now);
      return { rows: await this.outbox.enqueue(tx, [...surveyed.records, ...routed.records]), outcomes: routed.outcomes, unrouted: routed.unrouted };
    });
    this.relay.handOff(written.rows);
    this.desk.count(written.outcomes);
    await this.desk.answerUnrouted(written.unrouted, now);
  }
}
