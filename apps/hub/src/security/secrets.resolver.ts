import type { AuditActor } from '@kabar/core';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { CurrentActor, RequireScope } from '../auth/index.js';
import { ReencryptResultModel, SecretKeysModel } from './secrets.model.js';
import { REENCRYPT_LIMIT_MAX, SecretsService } from './secrets.service.js';

/** Master-key rotation, for platform admins. */
@Resolver()
@RequireScope('admin')
export class SecretsResolver {
  constructor(private readonly secrets: SecretsService) {}

  @Query(() => SecretKeysModel, { description: 'Master key ids with what each is still needed for. Reads every sealed column: an operator question, not a dashboard one.' })
  async secretKeys(): Promise<SecretKeysModel> {
    const { keys, columns } = await this.secrets.status();
    return { keys: keys.map((k) => ({ ...k, neededFor: [...k.neededFor] })), columns: [...columns] };
  }

  @Mutation(() => ReencryptResultModel, {
    description: `Moves up to \`limit\` (default 5000, at most ${String(REENCRYPT_LIMIT_MAX)}) sealed values to the current master key, from \`after\` (the previous step's cursor). SECRETS_CURSOR_INVALID, SECRETS_KEY_NOT_HELD.`,
  })
  async reencryptSecrets(
    @CurrentActor() actor: AuditActor,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('limit', { type: () => Int, defaultValue: 5000 }) limit: number,
  ): Promise<ReencryptResultModel> {
    return this.secrets.reencrypt(after ?? null, limit, actor);
  }
}
