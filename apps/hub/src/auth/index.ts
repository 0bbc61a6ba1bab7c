export { AuthError, AuthErrorCode } from './auth.errors.js';
export { CurrentAgency, type GraphqlContext, RequireScope } from './auth.guard.js';
export { AuthModule } from './auth.module.js';
export { signJwt } from './jwt.js';
export type { AgencyPrincipal, Principal } from './principal.js';
