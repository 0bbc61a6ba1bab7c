import { Module } from '@nestjs/common';

import { DeliveryModule } from '../delivery/delivery.module.js';
import { SurveyModule } from '../surveys/survey.module.js';
import { CitizenComplaintResolver, ComplaintOversightResolver, ComplaintResolver, InboundRouteResolver } from './complaint.resolver.js';
import { ComplaintDeadlines } from './complaint-deadlines.js';
import { ComplaintDesk } from './complaint-desk.js';
import { ComplaintMediaController } from './complaint-media.controller.js';
import { InboundStage } from './inbound-stage.js';

/** The complaint desk, its answer deadlines, and the inbound stage that feeds it (after the survey stage) from `kabar.inbound.v1`. */
@Module({ imports: [SurveyModule, DeliveryModule], controllers: [ComplaintMediaController], providers: [ComplaintDesk, ComplaintDeadlines, ComplaintResolver, CitizenComplaintResolver, ComplaintOversightResolver, InboundRouteResolver, InboundStage], exports: [ComplaintDesk] })
export class ComplaintsModule {}
