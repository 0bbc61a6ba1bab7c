export type { DatabaseConfig, DeliveryConfig, KabarConfig, KafkaConfig, KafkaEventAuth, LogLevel, PolicyConfig, Role, SecretKeyConfig } from './config.js';
export { ConfigError, ConfigErrorCode, type ConfigProblem } from './config-error.js';
export { resolveSecretKey } from './embedded-secret-key.js';
export { type ConfigSource, loadConfig } from './load-config.js';
export { configurationTable } from './markdown-table.js';
export { type VariableName, VARIABLES, type VariableSpec } from './variables.js';
