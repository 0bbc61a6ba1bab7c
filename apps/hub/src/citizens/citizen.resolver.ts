import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { AuthService, type CitizenPrincipal, CurrentCitizen, RequireScope } from '../auth/index.js';
import { UpdatePreferencesInput } from './citizen.inputs.js';
import { CitizenConsentsModel, CitizenModel, ConsentPurposeModel, ConsentReceiptModel, ContactPointModel, DelegationModel } from './citizen.model.js';
import { toConsentsModel, toDelegationModel, toReceiptModel } from './citizen-model.mapping.js';
import { CitizenProfileService } from './citizen-profile.service.js';
import { ContactPointsService } from './contact-points.service.js';

/** The signed-in citizen's profile, preferences, consents and delegations; only ever their own. */
@Resolver(() => CitizenModel)
@RequireScope('citizen')
export class CitizenResolver {
  constructor(
    private readonly profiles: CitizenProfileService,
    private readonly contacts: ContactPointsService,
    private readonly auth: AuthService,
  ) {}

  @Mutation(() => Boolean, { description: 'Ends this session: its token is refused from now on. Other sessions stay.' })
  async signOut(@CurrentCitizen() citizen: CitizenPrincipal): Promise<boolean> {
    await this.auth.endCitizenSession(citizen.sessionHash);
    return true;
  }

  @Query(() => CitizenModel, { description: 'The signed-in citizen.' })
  me(@CurrentCitizen() citizen: CitizenPrincipal): Promise<CitizenModel> {
    return this.profiles.me(citizen.citizenId);
  }

  @Query(() => [ConsentPurposeModel], { description: 'The purposes agencies ask your consent for, under the privacy notice in force.' })
  consentPurposes(): Promise<ConsentPurposeModel[]> {
    return this.profiles.consentPurposes();
  }

  // Field resolvers read the parent, which only `me` and `updatePreferences` (both guarded) produce.
  @ResolveField(() => [ContactPointModel])
  contactPoints(@Parent() citizen: CitizenModel): Promise<ContactPointModel[]> {
    return this.contacts.list(citizen.id);
  }

  @ResolveField(() => CitizenConsentsModel)
  async consents(@Parent() citizen: CitizenModel): Promise<CitizenConsentsModel> {
    return toConsentsModel(await this.profiles.consents(citizen.id));
  }

  @ResolveField(() => [DelegationModel], { description: 'Who acts for you, and for whom you act.' })
  async delegates(@Parent() citizen: CitizenModel): Promise<DelegationModel[]> {
    return (await this.profiles.delegations(citizen.id)).map(toDelegationModel);
  }

  @Mutation(() => CitizenModel, { description: 'Changes the given settings; CITIZEN_INVALID_INPUT lists every problem and changes nothing.' })
  updatePreferences(@CurrentCitizen() citizen: CitizenPrincipal, @Args('input') input: UpdatePreferencesInput): Promise<CitizenModel> {
    return this.profiles.updatePreferences(citizen.citizenId, input);
  }

  @Mutation(() => ConsentReceiptModel, { description: 'Records that you consent to a purpose under a privacy notice version.' })
  async grantConsent(@CurrentCitizen() citizen: CitizenPrincipal, @Args('purpose') purpose: string, @Args('noticeVersion') noticeVersion: string): Promise<ConsentReceiptModel> {
    return toReceiptModel(await this.profiles.recordConsent(citizen.citizenId, purpose, noticeVersion, 'granted'));
  }

  @Mutation(() => ConsentReceiptModel, { description: 'Records that you withdraw consent; earlier records stay as history.' })
  async withdrawConsent(@CurrentCitizen() citizen: CitizenPrincipal, @Args('purpose') purpose: string, @Args('noticeVersion') noticeVersion: string): Promise<ConsentReceiptModel> {
    return toReceiptModel(await this.profiles.recordConsent(citizen.citizenId, purpose, noticeVersion, 'withdrawn'));
  }

  @Mutation(() => DelegationModel, { description: 'Lets another registered citizen (found by national ID) receive your notices.' })
  async addDelegate(@CurrentCitizen() citizen: CitizenPrincipal, @Args('nationalId') nationalId: string, @Args('relation') relation: string): Promise<DelegationModel> {
    return toDelegationModel(await this.profiles.addDelegate(citizen.citizenId, nationalId, relation));
  }

  @Mutation(() => Boolean, { description: 'Ends a delegation to the given citizen (Delegation.citizenId).' })
  async removeDelegate(@CurrentCitizen() citizen: CitizenPrincipal, @Args('delegateId', { type: () => ID }) delegateId: string): Promise<boolean> {
    await this.profiles.removeDelegate(citizen.citizenId, delegateId);
    return true;
  }
}
