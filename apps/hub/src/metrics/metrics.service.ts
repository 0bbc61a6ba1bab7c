import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per hub instance (not prom-client's global), so tests can build several apps in one process. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'kabar_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly busRecordsConsumed = new Counter({
    name: 'kabar_bus_records_consumed_total',
    help: 'Bus records handled, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  /** What dispatch did with each message, per install: sent, failed, throttled (held by its rate limit), refused (open circuit). */
  readonly deliveries = new Counter({
    name: 'kabar_deliveries_total',
    help: 'Messages handed to plugins, by install name and outcome (sent, failed, throttled, refused).',
    labelNames: ['plugin', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Citizens' own messages (not replies, not survey answers) at the complaint desk: opened, joined, unrouted. */
  readonly citizenMessages = new Counter({
    name: 'kabar_citizen_messages_total',
    help: "Citizens' own messages by channel and what became of them: opened a complaint, joined one, or matched no inbound route (dropped).",
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Complaints whose agency let the answer time pass, counted when the agency is told. */
  readonly complaintsOverdue = new Counter({
    name: 'kabar_complaints_overdue_total',
    help: "Citizens' complaints that waited past their agency's response target without an answer, by agency.",
    labelNames: ['agency'] as const,
    registers: [this.registry],
  });

  readonly complaintsEscalated = new Counter({
    name: 'kabar_complaints_escalated_total',
    help: 'Overdue complaints the agency it escalates to was told of, by the late agency and that one.',
    labelNames: ['agency', 'to'] as const,
    registers: [this.registry],
  });

  /**
   * Credentials refused, by what was presented and why: a rise in refused admin or agency keys is someone guessing or a
   * leaked key being tried after its revocation. No key id is a label (they are unbounded and name the holder).
   */
  readonly credentialsRefused = new Counter({
    name: 'kabar_credentials_refused_total',
    help: 'Credentials refused, by kind (admin, agency, jwt, citizen, none; kafka for a signed record) and reason (the error code).',
    labelNames: ['credential', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kabar_' });
  }
}
