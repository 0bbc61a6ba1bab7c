/** Every channel Kabar can deliver on; a plugin serves exactly one. */
export const CHANNELS = ['sms', 'email', 'push', 'whatsapp', 'inbox', 'webhook', 'console'] as const;

export type Channel = (typeof CHANNELS)[number];
