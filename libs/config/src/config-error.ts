import { KabarError } from '@kabar/core';

export enum ConfigErrorCode {
  Invalid = 'CONFIG_INVALID',
}

export interface ConfigProblem {
  readonly variable: string;
  readonly expected: string;
  /** The offending value, omitted for secrets. */
  readonly got?: string;
}

/** Every problem found in one pass, so an operator fixes them all at once instead of one per restart. */
export class ConfigError extends KabarError<ConfigErrorCode> {
  readonly code = ConfigErrorCode.Invalid;

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      ['Invalid configuration:', ...problems.map((p) => `  ${p.variable}: expected ${p.expected}${p.got === undefined ? '' : `, got ${JSON.stringify(p.got)}`}`)].join('\n'),
    );
  }
}
