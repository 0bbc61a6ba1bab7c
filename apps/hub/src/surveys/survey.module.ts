import { Module } from '@nestjs/common';

import { SurveyResolver } from './survey.resolver.js';
import { SurveyService } from './survey.service.js';

@Module({ providers: [SurveyService, SurveyResolver] })
export class SurveyModule {}
