/** How urgent and how welcome a message is; drives caps, quiet hours and digests (ARCHITECTURE §4). */
export const MESSAGE_CLASSES = ['critical', 'transactional', 'reminder', 'informational'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

/** Channels a notification can go out on. */
export const CHANNELS = ['sms', 'email', 'push', 'whatsapp', 'inbox', 'webhook', 'console'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Locales Kabar renders; every event type needs at least Indonesian and English. */
export const LOCALES = ['id', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const REQUIRED_LOCALES: readonly Locale[] = ['id', 'en'];

export const isMessageClass = (v: string): v is MessageClass => (MESSAGE_CLASSES as readonly string[]).includes(v);
export const isChannel = (v: string): v is ChannelName => (CHANNELS as readonly string[]).includes(v);
export const isLocale = (v: string): v is Locale => (LOCALES as readonly string[]).includes(v);
