import { KabarError } from '@kabar/core';

import { PLUGIN_ERROR_RETRYABLE, PluginErrorCode } from './plugin-error-code.enum.js';

/** A plugin failure; `retryable` always follows the code (PLUGIN_ERROR_RETRYABLE) so plugins cannot disagree on it. */
export class PluginError extends KabarError<PluginErrorCode> {
  readonly retryable: boolean;

  constructor(
    readonly code: PluginErrorCode,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message, details);
    this.retryable = PLUGIN_ERROR_RETRYABLE[code];
  }
}

export interface ConfigProblem {
  /** JSON Pointer into the configuration, e.g. `/url`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
}

/** Every problem in a plugin configuration at once, so an admin fixes them in one go; never echoes values (secrets). */
export class PluginConfigError extends PluginError {
  constructor(
    readonly pluginId: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      PluginErrorCode.InvalidConfig,
      [`Invalid configuration for plugin ${pluginId}:`, ...problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.message}`)].join('\n'),
      { pluginId, problems },
    );
  }
}
