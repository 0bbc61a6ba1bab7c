/**
 * The Message-ID for a delivery: the idempotency key, percent-encoded so it is a valid RFC 5322 `id-left`, at the
 * From address's domain. A retry of the same delivery gets the same Message-ID, so a receiving system that
 * de-duplicates on it shows the citizen one e-mail.
 * @example messageIdFor('7f3c…:1', 'Bapenda <noreply@bapenda.bandung.go.id>') // '<7f3c…%3A1@bapenda.bandung.go.id>'
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const local = Array.from(new TextEncoder().encode(idempotencyKey), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `<${local}@${domainOf(from)}>`;
}

/** The domain of a mailbox such as `Name <user@domain>` or `user@domain`; config validation guarantees one for `from`. */
export function domainOf(mailbox: string): string {
  return /@([^\s<>@]+)>?\s*$/.exec(mailbox)?.[1]?.toLowerCase() ?? 'localhost';
}
