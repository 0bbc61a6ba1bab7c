export * from './audit/index.js';
export { backoffDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
export * from './citizens/index.js';
export { appendTo } from './collections.js';
export * from './complaint/index.js';
export { isKeyId, newCredential, newKeyId, splitCredential } from './credentials.js';
export * from './delivery/index.js';
export { GroupCommit, type GroupCommitOptions } from './group-commit.js';
export { CodedError, isKabarError, KabarError } from './kabar-error.js';
export { type Logger, SILENT_LOGGER } from './logger.js';
export * from './notify/index.js';
export * from './policy/index.js';
export { PollingLoop, type PollingLoopOptions } from './polling-loop.js';
export { describeError, RetryExhaustedError, type RetryFailure, type RetryOptions, retryUntil } from './retry.js';
export { hashSecret, randomToken, safeEqual, SecretBox, SecretBoxError, SecretBoxErrorCode } from './secret-box.js';
export * from './survey/index.js';
export { timeOrderedId } from './time-ordered-id.js';
export { storableJson, unpairedSurrogate, unstorableText, unstorableTextIn } from './unicode.js';
export { isUuid } from './uuid.js';
export {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookRejection,
  type WebhookSignInput,
  type WebhookVerification,
  type WebhookVerifyInput,
} from './webhook-signature.js';
