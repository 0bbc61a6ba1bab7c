import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export that TypeScript sees as the module object under nodenext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * JSON Schema validation of event `data`, one compiled validator per schema version.
 * @example new DataValidator().problems({ type: 'object', required: ['amount'] }, {}, 'k') // [{ path: '/', … }]
 */
export class DataValidator {
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  private readonly cache = new Map<string, ValidateFunction>();

  /** Problems with the schema itself (for registration), empty when it compiles. */
  schemaProblems(schema: unknown): SchemaProblem[] {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [{ path: '/', message: 'must be a JSON Schema object' }];
    try {
      this.ajv.compile(schema);
      return [];
    } catch (error) {
      return [{ path: '/', message: error instanceof Error ? error.message : String(error) }];
    }
  }

  problems(schema: Readonly<Record<string, unknown>>, data: unknown, cacheKey: string): SchemaProblem[] {
    let validate = this.cache.get(cacheKey);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.cache.set(cacheKey, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => ({ path: e.instancePath === '' ? '/' : e.instancePath, message: e.message ?? 'is invalid' }));
  }
}
