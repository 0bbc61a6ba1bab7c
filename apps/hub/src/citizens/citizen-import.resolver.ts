import type { AuditActor } from '@kabar/core';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { CurrentActor, RequireScope } from '../auth/index.js';
import { CitizenImportInput } from './citizen.inputs.js';
import { CitizenCsvImportResultModel, CitizenImportResultModel } from './citizen-import.model.js';
import { CitizenImportService, MAX_IMPORT_ROWS } from './citizen-import.service.js';

/** Platform-admin import of citizens from agency registers. */
@Resolver(() => CitizenImportResultModel)
@RequireScope('admin')
export class CitizenImportResolver {
  constructor(private readonly imports: CitizenImportService) {}

  @Mutation(() => CitizenImportResultModel, {
    description: `Creates or updates citizens by national ID, at most ${MAX_IMPORT_ROWS} rows per call. Every row is checked; with any error nothing is written.`,
  })
  importCitizens(@CurrentActor() actor: AuditActor, @Args('rows', { type: () => [CitizenImportInput] }) rows: CitizenImportInput[], @Args('dryRun') dryRun: boolean): Promise<CitizenImportResultModel> {
    return this.imports.import(rows, dryRun, actor);
  }

  @Mutation(() => CitizenCsvImportResultModel, {
    description: `The same from a citizen CSV (columns national_id,name,region_code,timezone,language,phone,email,fcm_token,whatsapp; at most ${MAX_IMPORT_ROWS} rows), checked on the hub: problems by line and column.`,
  })
  importCitizensCsv(@CurrentActor() actor: AuditActor, @Args('csv') csv: string, @Args('dryRun') dryRun: boolean): Promise<CitizenCsvImportResultModel> {
    return this.imports.importCsv(csv, dryRun, actor);
  }
}
