import { randomToken } from '@kabar/core';

/** Citizen session tokens carry this prefix, so the hub (and a secret scanner) can tell them from API keys. */
export const CITIZEN_TOKEN_PREFIX = 'cit_';

/** How long a citizen stays signed in. */
export const CITIZEN_SESSION_SECONDS = 24 * 60 * 60;

const TOKEN = /^cit_[A-Za-z0-9_-]{43}$/;

/** A new bearer token with 256 bits of entropy, e.g. `cit_Vq3…`; only its hash is stored. */
export const newCitizenToken = (): string => `${CITIZEN_TOKEN_PREFIX}${randomToken(32)}`;

export const isCitizenToken = (token: string): boolean => TOKEN.test(token);
