import { inboxPlugin } from './inbox.plugin.js';

export { type InboxConfig, inboxPlugin } from './inbox.plugin.js';

export default inboxPlugin;
