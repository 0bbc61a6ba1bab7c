/** One entry of a citizen's in-app inbox. */
export interface InboxItem {
  readonly notificationId: string;
  readonly citizenId: string;
  readonly agencyCode: string;
  readonly eventType: string;
  readonly subject?: string;
  readonly body: string;
  readonly locale: string;
  readonly createdAt: Date;
}

/** Implemented by the hub with its database; `put` is idempotent on `notificationId`, so a retried batch is harmless. */
export interface InboxWriter {
  put(items: readonly InboxItem[]): Promise<void>;
}
