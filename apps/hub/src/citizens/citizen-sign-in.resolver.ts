import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { CitizenSessionModel } from './citizen.model.js';
import { CitizenSignInService } from './citizen-sign-in.service.js';

/** Signing in with a one-time code; open to anyone, so it never tells whether an address is known. */
@Resolver()
export class CitizenSignInResolver {
  constructor(private readonly signIns: CitizenSignInService) {}

  @Mutation(() => Boolean, {
    description: 'Sends a sign-in code to a verified contact point (channel sms, whatsapp, email or push). Always true, known address or not.',
  })
  requestSignInCode(@Args('channel') channel: string, @Args('address') address: string): Promise<boolean> {
    return this.signIns.requestCode(channel, address);
  }

  @Mutation(() => CitizenSessionModel, { description: 'Exchanges the code for a session token valid 24 hours; INVALID_CODE if wrong, expired or unknown.' })
  signIn(@Args('channel') channel: string, @Args('address') address: string, @Args('code') code: string): Promise<CitizenSessionModel> {
    return this.signIns.signIn(channel, address, code);
  }
}
