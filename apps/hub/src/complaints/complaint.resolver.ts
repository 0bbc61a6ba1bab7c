import type { AuditActor } from '@kabar/core';
import type { InboundRouteRow } from '@kabar/persistence';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, type CitizenPrincipal, CurrentActor, CurrentAgency, CurrentCitizen, RequireScope } from '../auth/index.js';
import { ComplaintModel, ComplaintPerformanceModel, ComplaintStateModel, InboundRouteInput, InboundRouteModel, MyComplaintModel } from './complaint.model.js';
import { ComplaintDesk, type ComplaintView } from './complaint-desk.js';

const STATES: Readonly<Record<string, ComplaintStateModel>> = { open: ComplaintStateModel.open, answered: ComplaintStateModel.answered, closed: ComplaintStateModel.closed };

const toModel = (v: ComplaintView, now = new Date()): ComplaintModel => ({
  id: v.id,
  reference: v.reference,
  number: v.number,
  state: STATES[v.state] ?? ComplaintStateModel.open,
  channel: v.channel,
  registered: v.registered,
  locale: v.locale,
  openedAt: v.openedAt,
  lastActivityAt: v.lastActivityAt,
  closedAt: v.closedAt,
  dueAt: v.dueAt,
  overdue: v.dueAt !== null && v.dueAt <= now,
  messages: v.messages.map((m) => ({ ...m })),
});

const toMine = (v: ComplaintView): MyComplaintModel => ({
  id: v.id,
  reference: v.reference,
  agencyName: v.agencyName,
  channel: v.channel,
  state: STATES[v.state] ?? ComplaintStateModel.open,
  openedAt: v.openedAt,
  answerDueAt: v.dueAt,
  messages: v.messages.map((m) => ({ direction: m.direction, text: m.text, hasMedia: m.media !== null, at: m.at })),
});

const toRoute = (r: InboundRouteRow): InboundRouteModel => ({ id: r.id, agencyCode: r.agencyCode, channel: r.channel, to: r.to, keyword: r.keyword, createdAt: r.createdAt });

/** An agency's complaints: citizens' own messages routed to it, and its answers. */
@Resolver(() => ComplaintModel)
@RequireScope('agency')
export class ComplaintResolver {
  constructor(private readonly desk: ComplaintDesk) {}

  @Query(() => [ComplaintModel], {
    description: 'Your complaints, newest first: `first` (default 50, at most 100) numbered below `before`, in one `state` or all; with `overdue: true`, only those whose answer is past due.',
  })
  async complaints(
    @CurrentAgency() agency: AgencyPrincipal,
    @Args('state', { type: () => ComplaintStateModel, nullable: true }) state: ComplaintStateModel | null,
    @Args('before', { type: () => Int, nullable: true }) before: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('overdue', { type: () => Boolean, nullable: true }) overdue: boolean | null,
  ): Promise<ComplaintModel[]> {
    const now = new Date();
    return (await this.desk.page(agency.agencyId, state ?? null, before ?? null, first, overdue === true ? now : null)).map((v) => toModel(v, now));
  }

  @Query(() => ComplaintPerformanceModel, {
    description:
      'How you handled the complaints opened in [`from`, `to`) that you hold now (the last 30 days by default): opened, waiting, answered, closed, gone overdue, answered in time, the rates and the median time to a first answer. COMPLAINT_PERIOD_INVALID.',
  })
  async complaintPerformance(
    @CurrentAgency() agency: AgencyPrincipal,
    @Args('from', { type: () => Date, nullable: true }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to: Date | null,
  ): Promise<ComplaintPerformanceModel> {
    const [mine] = await this.desk.performance(agency.agencyId, from ?? null, to ?? null);
    return mine ?? { agencyCode: agency.agencyCode, opened: 0, waiting: 0, answered: 0, closed: 0, wentOverdue: 0, answeredInTime: 0, answerRate: null, inTimeRate: null, medianFirstAnswerHours: null };
  }

  @Query(() => ComplaintModel, { nullable: true, description: 'One of your complaints with its thread; null for none (or another agency\'s).' })
  async complaint(@CurrentAgency() agency: AgencyPrincipal, @Args('id', { type: () => ID }) id: string): Promise<ComplaintModel | null> {
    const view = await this.desk.one(agency.agencyId, id);
    return view === null ? null : toModel(view);
  }

  @Mutation(() => ComplaintModel, {
    description:
      'Answers the citizen where they wrote from (at most 1,000 characters); `close` closes the complaint with it. COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED, COMPLAINT_ANSWER_INVALID.',
  })
  async answerComplaint(
    @CurrentAgency() agency: AgencyPrincipal,
    @CurrentActor() actor: AuditActor,
    @Args('id', { type: () => ID }) id: string,
    @Args('text') text: string,
    @Args('close', { defaultValue: false }) close: boolean,
  ): Promise<ComplaintModel> {
    return toModel(await this.desk.answer(agency.agencyId, id, text, close, actor));
  }

  @Mutation(() => Boolean, {
    description:
      "Hands the complaint to the agency responsible, with a note for it (at most 1,000 characters): the citizen is told who will answer, that agency's callback receives the thread (id.kabar.complaint.transferred.v1), and you no longer see it. COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED, COMPLAINT_TRANSFER_INVALID, AGENCY_NOT_FOUND.",
  })
  async transferComplaint(
    @CurrentAgency() agency: AgencyPrincipal,
    @CurrentActor() actor: AuditActor,
    @Args('id', { type: () => ID }) id: string,
    @Args('agencyCode') agencyCode: string,
    @Args('note', { type: () => String, nullable: true }) note: string | null,
  ): Promise<boolean> {
    await this.desk.transfer(agency.agencyId, id, agencyCode, note ?? null, actor);
    return true;
  }

  @Mutation(() => ComplaintModel, { description: 'Closes the complaint and tells the citizen so. COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED.' })
  async closeComplaint(@CurrentAgency() agency: AgencyPrincipal, @CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<ComplaintModel> {
    return toModel(await this.desk.answer(agency.agencyId, id, null, true, actor));
  }
}

/** The signed-in citizen's own complaints, in the preference centre. */
@Resolver(() => MyComplaintModel)
@RequireScope('citizen')
export class CitizenComplaintResolver {
  constructor(private readonly desk: ComplaintDesk) {}

  @Query(() => [MyComplaintModel], { description: 'What you sent to agencies on your own from your verified numbers, and their answers; newest first.' })
  async myComplaints(@CurrentCitizen() citizen: CitizenPrincipal): Promise<MyComplaintModel[]> {
    return (await this.desk.ofCitizen(citizen.citizenId)).map(toMine);
  }

  @Mutation(() => MyComplaintModel, {
    description: 'Adds your words to one of your complaints (at most 1,000 characters); the agency hears of them. COMPLAINT_NOT_FOUND, COMPLAINT_CLOSED, COMPLAINT_ANSWER_INVALID.',
  })
  async addToMyComplaint(@CurrentCitizen() citizen: CitizenPrincipal, @Args('id', { type: () => ID }) id: string, @Args('text') text: string): Promise<MyComplaintModel> {
    return toMine(await this.desk.addFromCitizen(citizen.citizenId, id, text));
  }
}

/** Platform admins route citizens' own messages to agencies. */
@Resolver(() => InboundRouteModel)
@RequireScope('admin')
export class InboundRouteResolver {
  constructor(private readonly desk: ComplaintDesk) {}

  @Query(() => [InboundRouteModel])
  async inboundRoutes(): Promise<InboundRouteModel[]> {
    return (await this.desk.routes()).map(toRoute);
  }

  @Mutation(() => InboundRouteModel, {
    description: 'Routes citizens\' own messages on a channel, to an address and with a first word (empty for all) to an agency; the most specific route wins. INBOUND_ROUTE_INVALID, AGENCY_NOT_FOUND.',
  })
  async setInboundRoute(@CurrentActor() actor: AuditActor, @Args('route') route: InboundRouteInput): Promise<InboundRouteModel> {
    return toRoute(await this.desk.setRoute(route.agencyCode, route.channel, route.to, route.keyword, actor));
  }

  @Mutation(() => Boolean, { description: 'INBOUND_ROUTE_NOT_FOUND.' })
  async removeInboundRoute(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.desk.removeRoute(id, actor);
    return true;
  }
}

/** Platform admins oversee every complaint desk: which agencies answer, and in time. */
@Resolver(() => ComplaintPerformanceModel)
@RequireScope('admin')
export class ComplaintOversightResolver {
  constructor(private readonly desk: ComplaintDesk) {}

  @Query(() => [ComplaintPerformanceModel], { description: 'complaintPerformance for every agency holding complaints opened in the period, by code. COMPLAINT_PERIOD_INVALID.' })
  async complaintPerformanceByAgency(
    @Args('from', { type: () => Date, nullable: true }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to: Date | null,
  ): Promise<ComplaintPerformanceModel[]> {
    return this.desk.performance(null, from ?? null, to ?? null);
  }
}
