import { eventually, queryDatabase } from '@kabar/testing';

/**
 * The state of an event's notification, read from the database (by the event's CloudEvents id), or undefined before
 * the policy made one.
 * @example await notificationStateOf(database.url, 'pbb-2026-0001') // 'sent'
 */
export async function notificationStateOf(databaseUrl: string, ceId: string): Promise<string | undefined> {
  const rows = await queryDatabase<{ state: string }>(databaseUrl, 'select n.state from notification n join event e on e.id = n.event_id where e.ce_id = $1', [ceId]);
  return rows[0]?.state;
}

/**
 * Each delivery attempt of an event's notification, in order, as [install name (or plugin id), error code or null].
 * @example await deliveryAttemptsOf(database.url, 'pbb-2026-0001') // [['smsc-a', 'CONNECTION_FAILED'], ['smsc-b', null]]
 */
export async function deliveryAttemptsOf(databaseUrl: string, ceId: string): Promise<[string, string | null][]> {
  const rows = await queryDatabase<{ plugin: string; error_code: string | null }>(
    databaseUrl,
    'select a.plugin, a.error_code from delivery_attempt a join notification n on n.id = a.notification_id join event e on e.id = n.event_id where e.ce_id = $1 order by a.id',
    [ceId],
  );
  return rows.map((a) => [a.plugin, a.error_code]);
}

/**
 * Waits until no notification is on its way (`accepted` or `dispatching`): a purge leaves those alone, so a test that
 * purges "days later" must first let the deliveries that earlier cases started finish, as days would.
 * @example await noDeliveryInFlight(database.url); await repository.purge(retention, later);
 */
export async function noDeliveryInFlight(databaseUrl: string): Promise<void> {
  await eventually(async () => {
    const rows = await queryDatabase<{ n: number }>(databaseUrl, "select count(*)::int as n from notification where state in ('accepted', 'dispatching')");
    return rows[0]?.n === 0 ? true : undefined;
  });
}
