import type { PlatformPolicy } from './policy.types.js';

const DAY_SECONDS = 86_400;
const WEEK_SECONDS = 7 * DAY_SECONDS;

/** The platform's starting point; citizens may tighten caps and move or drop quiet hours. */
export const DEFAULT_PLATFORM_POLICY: PlatformPolicy = {
  caps: {
    transactional: { count: 20, periodSeconds: DAY_SECONDS },
    reminder: { count: 5, periodSeconds: WEEK_SECONDS },
    informational: { count: 3, periodSeconds: WEEK_SECONDS },
  },
  quietHours: { start: 21 * 60, end: 6 * 60 },
  digestAt: 19 * 60,
  fallbackAfterSeconds: 600,
};
