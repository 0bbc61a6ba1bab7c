export { DataValidator, type SchemaProblem } from './data-validator.js';
export {
  type ChannelName,
  CHANNELS,
  isChannel,
  isLocale,
  isMessageClass,
  type Locale,
  LOCALES,
  MESSAGE_CLASSES,
  type MessageClass,
  REQUIRED_LOCALES,
} from './message-class.js';
export { type ChannelChoice, chooseChannel, chooseLocale, type ContactOption } from './routing.js';
export { ALLOWED_HELPERS, checkTemplate, type TemplateProblem } from './template-check.js';
export { type RenderedMessage, TemplateRenderer, type TemplateSource } from './template-renderer.js';
