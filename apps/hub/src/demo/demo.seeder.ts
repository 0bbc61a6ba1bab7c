import type { KabarConfig } from '@kabar/config';
import { type Logger, SecretBox } from '@kabar/core';
import { CitizenRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { AgencyService } from '../agencies/agency.service.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { DEMO_AGENCIES, DEMO_CITIZENS } from './demo.data.js';
import { type DemoFile, writeDemoFile } from './demo-file.js';

/** What one bootstrap did, for the log and for tests. */
export type DemoOutcome = 'SEEDED' | 'SKIPPED_DISABLED' | 'SKIPPED_NOT_EMPTY';

/**
 * Gives `npm start` something to show: on an empty embedded database, three Bandung agencies with event types,
 * templates and live keys, five citizens and an admin token, all through the same services (and so the same
 * validation) an admin and an integrator use. Nest awaits this before the hub listens.
 */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly citizens: CitizenRepository;

  constructor(
    private readonly agencies: AgencyService,
    private readonly catalog: CatalogService,
    private readonly box: SecretBox,
    em: EntityManager,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.citizens = new CitizenRepository(em);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.seed();
  }

  async seed(): Promise<DemoOutcome> {
    // Only the embedded mode is a laptop demo; a PostgreSQL or Kafka deployment is someone's real installation.
    const embedded = this.config.database.kind === 'pglite' && this.config.kafka === null;
    if (!embedded || !this.config.demo) return 'SKIPPED_DISABLED';
    // Any agency means someone has used this database: never mix demo data into it (this also makes restarts no-ops).
    if ((await this.agencies.list()).length > 0) return 'SKIPPED_NOT_EMPTY';

    const agencies: DemoFile['agencies'][number][] = [];
    for (const demo of DEMO_AGENCIES) {
      const agency = await this.agencies.create(demo.agency);
      await this.catalog.register(agency.id, demo.eventType);
      for (const template of demo.templates) await this.catalog.saveTemplates(agency.id, { eventType: demo.eventType.type, ...template });
      const { key, token } = await this.agencies.issueKey(agency.code, 'live', 'demo');
      agencies.push({
        code: agency.code,
        name: agency.name,
        sources: agency.sources,
        senderIds: { sms: agency.senderIds.sms ?? null, email: agency.senderIds.email ?? null },
        key: { id: key.id, kind: 'live', token },
        eventTypes: [
          { type: demo.eventType.type, messageClass: demo.eventType.messageClass, allowedChannels: demo.eventType.allowedChannels, example: demo.example },
        ],
      });
    }
    for (const citizen of DEMO_CITIZENS) {
      await this.citizens.create(
        this.box.lookupHash(citizen.nationalId),
        citizen.locale,
        citizen.contacts.map((c) => ({ channel: c.channel, valueSealed: this.box.encrypt(c.value), lookupHash: this.box.lookupHash(c.value), verified: true })),
      );
    }
    const adminToken = await this.agencies.createAdmin('demo admin');
    const path = writeDemoFile(this.config.dataDir, {
      version: 1,
      note: 'Local demo data seeded by the Kabar hub on first start of the embedded mode. Not for production: these keys are live on this hub.',
      createdAt: new Date().toISOString(),
      adminToken,
      agencies,
      citizens: DEMO_CITIZENS,
    });
    // Printing a credential is acceptable only because this is a throwaway local demo database.
    this.logger.info(
      { demoFile: path, agencies: agencies.map((a) => a.code), citizens: DEMO_CITIZENS.length },
      `seeded demo data for a local demo (KABAR_DEMO=false to skip): admin token ${adminToken}; agencies' keys, event types and citizens are in ${path}`,
    );
    return 'SEEDED';
  }
}
