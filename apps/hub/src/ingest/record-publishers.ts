import type { KabarConfig } from '@kabar/config';
import { hasValidKafkaSignature, KAFKA_KEY_HEADER, KAFKA_SIGNATURE_HEADER } from '@kabar/contracts';
import { type Logger, SecretBox, SecretBoxError } from '@kabar/core';
import type { ReceivedRecord } from '@kabar/messaging';
import { AgencyRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';

/**
 * Who published a record: the signing key's agency (null when the event's source decides) and whether it is a test;
 * for a signed record, the key and its agency's daily quota, which Kafka records count against as requests do.
 */
export interface RecordPublisher {
  readonly agencyId: string | null;
  readonly sandbox: boolean;
  readonly key?: { readonly id: string; readonly perDay: number };
}

const BY_SOURCE: RecordPublisher = { agencyId: null, sandbox: false };
const UNOPENED = Symbol('unopened');

/** A revoked key: refused like an unknown one, but its agency is known, and sees the attempt in its audit trail. */
interface RevokedKey {
  readonly revokedOf: string;
}

interface SigningKey {
  readonly agencyId: string;
  readonly sandbox: boolean;
  readonly secret: string;
  readonly perDay: number;
}

/**
 * Names the publisher of each record on `kabar.events.v1`. A Kafka cluster's ACLs can let a principal write a topic
 * but cannot look inside a record, so with one shared topic any agency's producer could write events under another
 * agency's source. With KABAR_KAFKA_EVENT_AUTH=signed (the default) each record names an API key and carries an
 * HMAC under its secret, and its key's agency is the publisher, as for a GraphQL or HTTP request with that key: the
 * ingest path then refuses another agency's source, and a test key's events go to the sandbox.
 */
@Injectable()
export class RecordPublishers {
  private readonly agencies: AgencyRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.agencies = new AgencyRepository(em);
  }

  /** One answer per record, in order; the keys of the whole batch are read in one query. */
  async of(records: readonly ReceivedRecord[]): Promise<(RecordPublisher | IngestError)[]> {
    if (this.config.kafkaEventAuth === 'source') return records.map(() => BY_SOURCE);
    const keys = await this.keys(new Set(records.flatMap((r) => r.headers[KAFKA_KEY_HEADER] ?? [])));
    return records.map((record) => {
      const keyId = record.headers[KAFKA_KEY_HEADER];
      if (keyId === undefined || record.headers[KAFKA_SIGNATURE_HEADER] === undefined) {
        return new IngestError(IngestErrorCode.SignatureRequired, `sign the record: headers "${KAFKA_KEY_HEADER}" (an API key id) and "${KAFKA_SIGNATURE_HEADER}" (v1=HMAC-SHA256 with its secret) are required`);
      }
      const key = keys.get(keyId);
      // The key and its agency go with a refusal for the audit trail (credentials.refused), never into the dead letter.
      if (key === UNOPENED) return new IngestError(IngestErrorCode.UnknownKey, `the secret of the key in "${KAFKA_KEY_HEADER}" cannot be opened with this hub's master keys`, { keyId, agencyId: null });
      if (key === undefined || 'revokedOf' in key) {
        return new IngestError(IngestErrorCode.UnknownKey, `header "${KAFKA_KEY_HEADER}" names a key that does not exist or is revoked`, { keyId, agencyId: key?.revokedOf ?? null });
      }
      if (!hasValidKafkaSignature(key.secret, record)) {
        return new IngestError(IngestErrorCode.SignatureInvalid, `header "${KAFKA_SIGNATURE_HEADER}" is not this record's v1 signature under the key's secret`, { keyId, agencyId: key.agencyId });
      }
      return { agencyId: key.agencyId, sandbox: key.sandbox, key: { id: keyId, perDay: key.perDay } };
    });
  }

  private async keys(ids: ReadonlySet<string>): Promise<Map<string, SigningKey | RevokedKey | typeof UNOPENED>> {
    const found = await this.agencies.findKeys([...ids].filter((id) => id.length <= 40));
    const keys = new Map<string, SigningKey | RevokedKey | typeof UNOPENED>();
    for (const key of found) {
      if (key.revoked) {
        keys.set(key.id, { revokedOf: key.agency.id });
        continue;
      }
      try {
        keys.set(key.id, { agencyId: key.agency.id, sandbox: key.kind === 'test', secret: this.box.decrypt(key.secretSealed), perDay: key.agency.dailyQuota });
      } catch (error) {
        // A secret sealed under a master key this hub no longer holds: its records are refused, not retried forever.
        if (!(error instanceof SecretBoxError)) throw error;
        this.logger.error({ keyId: key.id, error: error.code }, 'an API key secret cannot be opened with the configured master keys; its Kafka records are dead-lettered');
        keys.set(key.id, UNOPENED);
      }
    }
    return keys;
  }
}
