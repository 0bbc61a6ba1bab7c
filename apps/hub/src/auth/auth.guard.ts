import type { AuditActor } from '@kabar/core';
import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';

import { AuthError, AuthErrorCode } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import type { AdminPrincipal, AgencyPrincipal, CitizenPrincipal, Principal } from './principal.js';

export type Scope = Principal['kind'];
const SCOPE_KEY = 'kabar:scope';

/** Marks a resolver or controller method as needing an admin or agency credential, or a citizen session. */
export const RequireScope = (scope: Scope): MethodDecorator & ClassDecorator => SetMetadata(SCOPE_KEY, scope);

const reflector = new Reflector();

/**
 * The scope an operation needs: its method's own, else its class's; undefined for an open one. The guard asks this, and
 * the isolation test asks it of every resolver and controller method, so a new agency-scoped operation is found there.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's Reflector takes handlers and classes as Function
export function requiredScope(handler: Function, type: Function): Scope | undefined {
  return reflector.getAllAndOverride<Scope | undefined>(SCOPE_KEY, [handler, type]);
}

/** The GraphQL context: the credential as sent over HTTP or in graphql-ws connection parameters. */
export interface GraphqlContext {
  readonly authorization: string | undefined;
  readonly clientIp: string | undefined;
}

const NEEDS: Readonly<Record<Scope, string>> = { admin: 'an admin credential', agency: 'an agency credential', citizen: 'a citizen session (sign in with a one-time code)' };

// Principals live beside the request (or GraphQL context) object they belong to, never on a shared singleton.
const principals = new WeakMap<object, Principal>();

function carrierOf(context: ExecutionContext): { carrier: object; authorization: string | undefined } {
  if (context.getType<'graphql' | 'http'>() === 'graphql') {
    const gql = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    return { carrier: gql, authorization: gql.authorization };
  }
  const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
  return { carrier: req, authorization: req.headers.authorization };
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = requiredScope(context.getHandler(), context.getClass());
    if (scope === undefined) return true;
    const { carrier, authorization } = carrierOf(context);
    const principal = await this.auth.authenticate(authorization, clientIpOf(context));
    if (principal.kind !== scope) throw new AuthError(AuthErrorCode.Forbidden, `this operation needs ${NEEDS[scope]}`);
    principals.set(carrier, principal);
    return true;
  }
}

function principalOf(context: ExecutionContext): Principal {
  const principal = principals.get(carrierOf(context).carrier);
  if (principal === undefined) throw new AuthError(AuthErrorCode.Unauthenticated, 'no credential was checked for this operation');
  return principal;
}

/** The authenticated agency of a `@RequireScope('agency')` operation. */
export const CurrentAgency = createParamDecorator((_data: unknown, context: ExecutionContext): AgencyPrincipal => {
  const principal = principalOf(context);
  if (principal.kind !== 'agency') throw new AuthError(AuthErrorCode.Forbidden, 'this operation needs an agency credential');
  return principal;
});

/** The signed-in citizen of a `@RequireScope('citizen')` operation. */
export const CurrentCitizen = createParamDecorator((_data: unknown, context: ExecutionContext): CitizenPrincipal => {
  const principal = principalOf(context);
  if (principal.kind !== 'citizen') throw new AuthError(AuthErrorCode.Forbidden, 'this operation needs a citizen session');
  return principal;
});

/** The authenticated admin of a `@RequireScope('admin')` operation. */
export const CurrentAdmin = createParamDecorator((_data: unknown, context: ExecutionContext): AdminPrincipal => {
  const principal = principalOf(context);
  if (principal.kind !== 'admin') throw new AuthError(AuthErrorCode.Forbidden, 'this operation needs an admin credential');
  return principal;
});

function clientIpOf(context: ExecutionContext): string | null {
  if (context.getType<'graphql' | 'http'>() === 'graphql') return GqlExecutionContext.create(context).getContext<GraphqlContext>().clientIp ?? null;
  return context.switchToHttp().getRequest<{ ip?: string }>().ip ?? null;
}

/** The admin or agency system making a change, as the audit trail records it (with the client address the hub saw). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): AuditActor => {
  const principal = principalOf(context);
  const ip = clientIpOf(context);
  switch (principal.kind) {
    case 'admin':
      return { kind: 'admin', id: principal.adminId, ip };
    case 'agency':
      return { kind: 'agency', id: principal.agencyId, keyId: principal.keyId, ip };
    case 'citizen':
      throw new AuthError(AuthErrorCode.Forbidden, 'this operation needs an admin or agency credential');
  }
});
