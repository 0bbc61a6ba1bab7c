export { AuthError, AuthErrorCode } from './auth.errors.js';
export { CurrentActor, CurrentAdmin, CurrentAgency, CurrentCitizen, type GraphqlContext, requiredScope, RequireScope } from './auth.guard.js';
export { AuthModule } from './auth.module.js';
export { AuthService } from './auth.service.js';
export { CITIZEN_SESSION_SECONDS } from './citizen-token.js';
export { signJwt } from './jwt.js';
export type { AdminPrincipal, AgencyPrincipal, CitizenPrincipal, Principal } from './principal.js';
export { type Refusal, RefusedCredentials } from './refused-credentials.js';
