import type { KabarConfig } from '@kabar/config';
import { type AuditActor, type Logger, SecretBox, timeOrderedId } from '@kabar/core';
import { PreferenceRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { AgencyService } from '../agencies/agency.service.js';
import { DaysOffService } from '../agencies/days-off.service.js';
import { AuthService } from '../auth/auth.service.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { ComplaintDesk } from '../complaints/complaint-desk.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { IngestService } from '../ingest/ingest.service.js';
import { SurveyService } from '../surveys/survey.service.js';
import { DEMO_AGENCIES, DEMO_CITIZENS, DEMO_INBOUND_ROUTES, demoDaysOff, SHOWCASE_COMPLAINT } from './demo.data.js';
import { type DemoFile, writeDemoFile } from './demo-file.js';
import { SHOWCASE_DEATH, SHOWCASE_HEALTH_TIPS, SHOWCASE_HOSPITAL, SHOWCASE_REGISTRY_DEATH, showcaseEvents, showcasePreferences } from './demo-showcase.js';

/** The demo's changes show in the audit trail as the hub's own. */
const DEMO_ACTOR: AuditActor = { kind: 'system', id: 'demo' };

/** What one bootstrap did, for the log and for tests. */
export type DemoOutcome = 'SEEDED' | 'SKIPPED_DISABLED' | 'SKIPPED_NOT_EMPTY';

/**
 * Gives `npm start` something to show: on an empty embedded database, three Bandung agencies with event types,
 * templates and live keys, five citizens and an admin token, all through the same services (and so the same
 * validation) an admin and an integrator use. Nest awaits this before the hub listens.
 */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly preferences: PreferenceRepository;

  constructor(
    private readonly agencies: AgencyService,
    private readonly daysOff: DaysOffService,
    private readonly catalog: CatalogService,
    private readonly ingest: IngestService,
    private readonly surveys: SurveyService,
    private readonly complaints: ComplaintDesk,
    private readonly auth: AuthService,
    private readonly box: SecretBox,
    em: EntityManager,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.preferences = new PreferenceRepository(em);
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
      const agency = await this.agencies.create(demo.agency, DEMO_ACTOR);
      if (demo.survey !== undefined) await this.surveys.save(agency.id, demo.survey, DEMO_ACTOR);
      await this.catalog.register(agency.id, demo.eventType, DEMO_ACTOR);
      for (const template of demo.templates) await this.catalog.saveTemplates(agency.id, { eventType: demo.eventType.type, ...template }, DEMO_ACTOR);
      const { key, token } = await this.agencies.issueKey(agency.code, 'live', 'demo', DEMO_ACTOR);
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
    await this.preferences.importCitizens(
      DEMO_CITIZENS.map((citizen, i) => ({
        subjectHash: this.box.lookupHash(citizen.nationalId),
        nationalIdSealed: this.box.encrypt(citizen.nationalId),
        nameSealed: this.box.encrypt(citizen.name),
        regionCode: `32.73.0${String(i + 1)}.100${String(i + 1)}`,
        timezone: 'WIB',
        locale: citizen.locale,
        contacts: citizen.contacts.map((c) => ({ channel: c.channel, valueSealed: this.box.encrypt(c.value), lookupHash: this.box.lookupHash(c.value) })),
      })),
      (result) => ({ action: 'citizens.imported', actor: DEMO_ACTOR, agencyId: null, target: { kind: 'citizens', id: 'demo' }, details: { rows: DEMO_CITIZENS.length, ...result } }),
    );
    for (const r of DEMO_INBOUND_ROUTES) await this.complaints.setRoute(r.agencyCode, r.channel, r.to, r.keyword, DEMO_ACTOR);
    await this.daysOff.set(demoDaysOff(new Date().getUTCFullYear()), DEMO_ACTOR);
    await this.showcase(agencies);
    await this.showcaseComplaint();
    const citizens: DemoFile['citizens'][number][] = [];
    for (const citizen of DEMO_CITIZENS) {
      const citizenId = await this.preferences.citizenIdOf(this.box.lookupHash(citizen.nationalId));
      if (citizenId === null) throw new Error('a demo citizen is missing');
      const session = await this.auth.startCitizenSession(citizenId);
      citizens.push({
        ...citizen,
        session: { token: session.token, expiresAt: session.expiresAt.toISOString() },
        preferenceCentre: `http://localhost:${String(this.config.port)}/#token=${session.token}`,
      });
    }
    const adminToken = await this.agencies.createAdmin('demo admin', DEMO_ACTOR);
    const path = writeDemoFile(this.config.dataDir, {
      version: 1,
      note: 'Local demo data seeded by the Kabar hub on first start of the embedded mode. Not for production: these keys are live on this hub.',
      createdAt: new Date().toISOString(),
      adminToken,
      agencies,
      citizens,
    });
    // Printing a credential is acceptable only because this is a throwaway local demo database.
    this.logger.info(
      { demoFile: path, agencies: agencies.map((a) => a.code), citizens: DEMO_CITIZENS.length },
      `seeded demo data for a local demo (KABAR_DEMO=false to skip): admin token ${adminToken}; agencies' keys, event types and citizens are in ${path}; ` +
        `the preference centre as ${citizens[0]?.name ?? 'a demo citizen'}: ${citizens[0]?.preferenceCentre ?? ''}`,
    );
    return 'SEEDED';
  }

  /** A hospital, a second death type, citizens' own preferences and a few events whose fates show the policy at work. */
  /** A citizen's own SMS to the complaint line, placed as the inbound stage would, and the agency's answer. */
  private async showcaseComplaint(): Promise<void> {
    const { citizen, agencyCode, to, text, answer } = SHOWCASE_COMPLAINT;
    const who = DEMO_CITIZENS.find((c) => c.name === citizen);
    const phone = who?.contacts.find((c) => c.channel === 'sms')?.value;
    const citizenId = who === undefined ? null : await this.preferences.citizenIdOf(this.box.lookupHash(who.nationalId));
    const agency = (await this.agencies.list()).find((a) => a.code === agencyCode);
    if (phone === undefined || citizenId === null || agency === undefined) throw new Error('the demo complaint has no citizen or agency');
    const from = { fromHash: this.box.lookupHash(phone), fromSealed: this.box.encrypt(phone) };
    await this.complaints.receive([{ id: timeOrderedId(), plugin: 'sms-smpp', channel: 'sms', ...from, to, kind: 'text', text, payload: null, media: null, inReplyToEvent: null, receivedAt: new Date() }]);
    const [complaint] = await this.complaints.ofCitizen(citizenId);
    if (complaint === undefined) throw new Error('the demo complaint was not placed');
    await this.complaints.answer(agency.id, complaint.id, answer, false, DEMO_ACTOR);
  }

  private async showcase(agencies: DemoFile['agencies'][number][]): Promise<void> {
    const hospital = await this.agencies.create(SHOWCASE_HOSPITAL.agency, DEMO_ACTOR);
    await this.catalog.register(hospital.id, SHOWCASE_HOSPITAL.eventType, DEMO_ACTOR);
    for (const template of SHOWCASE_HOSPITAL.templates) await this.catalog.saveTemplates(hospital.id, { eventType: SHOWCASE_HOSPITAL.eventType.type, ...template }, DEMO_ACTOR);
    await this.catalog.register(hospital.id, SHOWCASE_HEALTH_TIPS.eventType, DEMO_ACTOR);
    for (const template of SHOWCASE_HEALTH_TIPS.templates) await this.catalog.saveTemplates(hospital.id, { eventType: SHOWCASE_HEALTH_TIPS.eventType.type, ...template }, DEMO_ACTOR);
    const { key, token } = await this.agencies.issueKey(hospital.code, 'live', 'demo', DEMO_ACTOR);
    agencies.push({
      code: hospital.code,
      name: hospital.name,
      sources: hospital.sources,
      senderIds: { sms: hospital.senderIds.sms ?? null, email: hospital.senderIds.email ?? null },
      key: { id: key.id, kind: 'live', token },
      eventTypes: [{ type: SHOWCASE_HOSPITAL.eventType.type, messageClass: 'transactional', allowedChannels: ['sms', 'inbox'], example: SHOWCASE_DEATH }],
    });
    const registry = (await this.agencies.list()).find((a) => a.code === SHOWCASE_REGISTRY_DEATH.agencyCode);
    if (registry === undefined) throw new Error('the demo civil registry is missing');
    await this.catalog.register(registry.id, SHOWCASE_REGISTRY_DEATH.eventType, DEMO_ACTOR);
    for (const template of SHOWCASE_REGISTRY_DEATH.templates) {
      await this.catalog.saveTemplates(registry.id, { eventType: SHOWCASE_REGISTRY_DEATH.eventType.type, ...template }, DEMO_ACTOR);
    }

    for (const [nationalId, patch] of Object.entries(showcasePreferences(new Date()))) {
      const citizenId = await this.preferences.citizenIdOf(this.box.lookupHash(nationalId));
      if (citizenId !== null) await this.preferences.updatePreferences(citizenId, patch);
    }
    const byCode = new Map((await this.agencies.list()).map((a) => [a.code, a.id]));
    // One by one, in order, as the agencies would publish them: the second death report finds the first.
    for (const event of showcaseEvents()) {
      await this.ingest.ingest([
        {
          via: 'graphql',
          agencyId: byCode.get(event.agency) ?? null,
          event: { specversion: '1.0', id: event.id, source: event.source, type: event.type, subject: event.subject, datacontenttype: 'application/json', data: event.data, extensions: {} },
        },
      ]);
    }
  }
}
