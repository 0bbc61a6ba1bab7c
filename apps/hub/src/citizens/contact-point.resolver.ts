import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';

import { type CitizenPrincipal, CurrentCitizen, RequireScope } from '../auth/index.js';
import { ContactPointModel } from './citizen.model.js';
import { ContactPointsService } from './contact-points.service.js';

/** The signed-in citizen's contact points: add (a code is sent), verify with the code, remove. */
@Resolver(() => ContactPointModel)
@RequireScope('citizen')
export class ContactPointResolver {
  constructor(private readonly contacts: ContactPointsService) {}

  @Mutation(() => ContactPointModel, { description: 'Adds an unverified contact point (sms, whatsapp, email or push) and sends it a verification code.' })
  addContactPoint(@CurrentCitizen() citizen: CitizenPrincipal, @Args('channel') channel: string, @Args('address') address: string): Promise<ContactPointModel> {
    return this.contacts.add(citizen.citizenId, channel, address);
  }

  @Mutation(() => ContactPointModel, { description: 'Verifies a contact point with the code sent to it.' })
  verifyContactPoint(@CurrentCitizen() citizen: CitizenPrincipal, @Args('id', { type: () => ID }) id: string, @Args('code') code: string): Promise<ContactPointModel> {
    return this.contacts.verify(citizen.citizenId, id, code);
  }

  @Mutation(() => Boolean)
  async removeContactPoint(@CurrentCitizen() citizen: CitizenPrincipal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.contacts.remove(citizen.citizenId, id);
    return true;
  }
}
