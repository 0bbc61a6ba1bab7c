import { Module } from '@nestjs/common';

import { AgencyModule } from '../agencies/agency.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { SurveyModule } from '../surveys/survey.module.js';
import { DemoSeeder } from './demo.seeder.js';

/** Demo data for the embedded mode (see DemoSeeder); does nothing in other modes or on a used database. */
@Module({ imports: [AgencyModule, CatalogModule, IngestModule, SurveyModule], providers: [DemoSeeder] })
export class DemoModule {}
