import { emailSmtpPlugin } from './email-smtp.plugin.js';

export { type EmailSmtpConfig, emailSmtpPlugin, type StartTlsPolicy } from './email-smtp.plugin.js';
export { listUnsubscribeHeaders, MESSAGE_CLASSES, type MessageClass } from './list-unsubscribe.policy.js';
export { messageIdFor } from './message-id.factory.js';

export default emailSmtpPlugin;
