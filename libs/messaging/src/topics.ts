/** Every topic the hub owns; created at boot when missing. Versioned names let a contract change run side by side. */
export const TOPICS = {
  /** Agencies' CloudEvents, from Kafka producers and from the GraphQL/HTTP ingest alike. */
  events: 'kabar.events.v1',
  /** Records that could not be processed, with the reason in headers. */
  eventsDeadLetter: 'kabar.events.dlq.v1',
  dispatch: 'kabar.dispatch.v1',
  /** Deliveries that failed for good on their channel (permanent error or retries spent), with the reason in headers. */
  dispatchDeadLetter: 'kabar.dispatch.dlq.v1',
  status: 'kabar.status.v1',
  inbound: 'kabar.inbound.v1',
  /** Diagnostic round trips (`sendProbe`). */
  probe: 'kabar.probe.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);
