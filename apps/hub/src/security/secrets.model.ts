import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('SecretKeyStatus', { description: 'One master key id: what it is used for and what still needs it.' })
export class SecretKeyStatusModel {
  @Field()
  keyId!: string;

  @Field({ description: 'New values are sealed and audit entries signed under it (KABAR_SECRET_KEY_ID).' })
  current!: boolean;

  @Field({ description: "The key this database's lookup hashes (national IDs, addresses) are made with, for its whole life." })
  lookup!: boolean;

  @Field({ description: 'Configured in this hub, as KABAR_SECRET_KEY or in KABAR_RETIRED_SECRET_KEYS.' })
  held!: boolean;

  @Field(() => Date, { nullable: true, description: 'When a hub first ran with it.' })
  registeredAt!: Date | null;

  @Field(() => Int, { description: 'Values still sealed under it (addresses, names, national IDs, plugin and callback secrets).' })
  sealedValues!: number;

  @Field(() => Int, { description: 'Audit entries sealed under it: checking them needs it.' })
  auditEntries!: number;

  @Field(() => [String], { description: 'current, lookup hashes, sealed values, audit entries; a retired key needed for nothing can be dropped.' })
  neededFor!: string[];
}

@ObjectType('SealedColumn', { description: 'How many values one column holds under one key id.' })
export class SealedColumnModel {
  @Field()
  table!: string;

  @Field()
  column!: string;

  @Field()
  keyId!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('SecretKeys', { description: "The hub's master keys and the data sealed under each." })
export class SecretKeysModel {
  @Field(() => [SecretKeyStatusModel])
  keys!: SecretKeyStatusModel[];

  @Field(() => [SealedColumnModel])
  columns!: SealedColumnModel[];
}

@ObjectType('ReencryptResult', { description: 'One step of moving sealed values to the current master key.' })
export class ReencryptResultModel {
  @Field(() => Int, { description: 'Values moved to the current key in this step.' })
  moved!: number;

  @Field(() => Int, { description: 'Values that failed authentication or are not ciphertexts: left as they are.' })
  unreadable!: number;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to go on; null when every sealed column has been walked.' })
  cursor!: string | null;
}
