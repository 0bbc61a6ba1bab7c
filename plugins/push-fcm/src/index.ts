import { pushFcmPlugin } from './push-fcm.plugin.js';

export type { FcmDial } from './fcm-deadline.agent.js';
export { createFcmProvider, type FcmConnectionSeam, type PushFcmConfig, pushFcmPlugin } from './push-fcm.plugin.js';
export { PROBE_TOKEN } from './push-fcm.provider.js';

export default pushFcmPlugin;
