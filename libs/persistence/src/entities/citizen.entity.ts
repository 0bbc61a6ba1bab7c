import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A person Kabar may notify. Found by the keyed hash of their national ID; the ID itself is not stored in clear. */
export const CitizenSchema = defineEntity({
  name: 'Citizen',
  tableName: 'citizen',
  properties: {
    id: p.uuid().primary(),
    subjectHash: p.string().length(64).unique(),
    locale: p.string().length(8),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Citizen = InferEntity<typeof CitizenSchema>;

/** A phone, e-mail, device token… sealed at rest; `lookupHash` finds it without decrypting. */
export const ContactPointSchema = defineEntity({
  name: 'ContactPoint',
  tableName: 'contact_point',
  properties: {
    id: p.uuid().primary(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade'),
    channel: p.string().length(16),
    valueSealed: p.text(),
    lookupHash: p.string().length(64).index(),
    verifiedAt: p.datetime().nullable(),
    position: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ContactPoint = InferEntity<typeof ContactPointSchema>;
