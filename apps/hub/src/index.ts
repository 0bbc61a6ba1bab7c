export { AgencyService } from './agencies/agency.service.js';
export { AppModule } from './app.module.js';
export { signJwt } from './auth/index.js';
export { createHub } from './create-hub.js';
export { EXIT_CODES, StartupError, StartupErrorCode } from './errors/startup-error.js';
export { DLQ_HEADERS,IngestConsumer } from './ingest/ingest.consumer.js';
export { NotificationPlanner } from './policy/notification-planner.js';
export { WaitingScheduler } from './policy/waiting.scheduler.js';
export { SURVEY_RESPONSE_TYPE, SurveyRunner } from './surveys/survey-runner.js';
