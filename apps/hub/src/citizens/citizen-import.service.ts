import { type AuditActor, citizenCsvColumn, type CitizenRecord, type CitizenRecordInput, parseCitizenCsv, SecretBox, validateCitizenRecord } from '@kabar/core';
import { PreferenceRepository, type SealedCitizen } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { CitizenError, CitizenErrorCode } from './citizen.errors.js';

/** Rows per call: a register is imported in pages, each one transaction. */
export const MAX_IMPORT_ROWS = 1000;

/** An import from CSV: its data rows, and problems by the file's line (the header is line 1) and column. */
export interface CsvImportResult {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly errors: readonly { readonly line: number; readonly column: string; readonly message: string }[];
}

export interface ImportRowError {
  /** 0-based position of the row in the call. */
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly errors: readonly ImportRowError[];
}

/** Which record field becomes a contact point on which channel. */
const CONTACTS = [
  ['phone', 'sms'],
  ['email', 'email'],
  ['fcmToken', 'push'],
  ['whatsapp', 'whatsapp'],
] as const satisfies readonly (readonly [keyof CitizenRecord, string])[];

/** Admin import of citizens from an agency register: all rows valid and written together, or none written. */
@Injectable()
export class CitizenImportService {
  private readonly store: PreferenceRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
  ) {
    this.store = new PreferenceRepository(em);
  }

  async import(rows: readonly CitizenRecordInput[], dryRun: boolean, actor: AuditActor, via: 'rows' | 'csv' = 'rows'): Promise<ImportResult> {
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new CitizenError(CitizenErrorCode.ImportTooLarge, `at most ${MAX_IMPORT_ROWS} rows per call, got ${rows.length}: split the import into pages`);
    }
    const errors: ImportRowError[] = [];
    const records: CitizenRecord[] = [];
    const firstRowOf = new Map<string, number>();
    rows.forEach((row, index) => {
      const result = validateCitizenRecord(row);
      if ('errors' in result) {
        errors.push(...result.errors.map((e) => ({ index, field: e.field, message: e.message })));
        return;
      }
      const first = firstRowOf.get(result.record.nationalId);
      if (first !== undefined) {
        errors.push({ index, field: 'nationalId', message: `the same national ID as row ${first} of this import (rows count from 0)` });
        return;
      }
      firstRowOf.set(result.record.nationalId, index);
      records.push(result.record);
    });
    if (errors.length > 0) return { created: 0, updated: 0, errors };
    const sealed = records.map((r) => this.seal(r));
    if (dryRun) {
      const existing = await this.store.existingSubjects(sealed.map((s) => s.subjectHash));
      const updated = sealed.filter((s) => existing.has(s.subjectHash)).length;
      return { created: sealed.length - updated, updated, errors: [] };
    }
    // Counts only: who was imported is the registers' business, not the trail's.
    const written = await this.store.importCitizens(sealed, (result) => ({ action: 'citizens.imported', actor, agencyId: null, target: { kind: 'citizens', id: via }, details: { rows: sealed.length, ...result } }));
    return { ...written, errors: [] };
  }

  /**
   * The same import from a citizen CSV (the `kabar citizens import` columns), checked in full on the hub: problems
   * come back by the file's line numbers (the header is line 1) and nothing is written while there is any.
   */
  async importCsv(csv: string, dryRun: boolean, actor: AuditActor): Promise<CsvImportResult> {
    const parsed = parseCitizenCsv(csv);
    if (parsed.errors.length > 0) return { rows: parsed.rowCount, created: 0, updated: 0, errors: parsed.errors.map((e) => ({ line: e.row, column: e.field, message: e.message })) };
    const result = await this.import(parsed.records, dryRun, actor, 'csv');
    return {
      rows: parsed.rowCount,
      created: result.created,
      updated: result.updated,
      errors: result.errors.map((e) => ({ line: parsed.lines[e.index] ?? 0, column: citizenCsvColumn(e.field), message: e.message })),
    };
  }

  private seal(record: CitizenRecord): SealedCitizen {
    return {
      subjectHash: this.box.lookupHash(record.nationalId),
      nationalIdSealed: this.box.encrypt(record.nationalId),
      nameSealed: this.box.encrypt(record.name),
      regionCode: record.regionCode,
      timezone: record.timezone,
      locale: record.language,
      contacts: CONTACTS.flatMap(([field, channel]) => {
        const value = record[field];
        return value === null ? [] : [{ channel, valueSealed: this.box.encrypt(value), lookupHash: this.box.lookupHash(value) }];
      }),
    };
  }
}
