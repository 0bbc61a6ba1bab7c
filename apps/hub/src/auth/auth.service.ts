import { GroupCommit, hashSecret, isKeyId, safeEqual, SecretBox, SecretBoxError, splitCredential } from '@kabar/core';
import { AgencyRepository, CitizenAuthRepository, type KeyCredential } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { MetricsService } from '../metrics/metrics.service.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { CITIZEN_SESSION_SECONDS, CITIZEN_TOKEN_PREFIX, isCitizenToken, newCitizenToken } from './citizen-token.js';
import { peekIssuer, verifyJwt } from './jwt.js';
import type { Principal } from './principal.js';
import { RefusedCredentials } from './refused-credentials.js';

/** What a refused token named, found while checking it, for the audit trail. */
interface Named {
  keyId: string | null;
  agencyId: string | null;
}

/** Turns an `Authorization` header into a principal, or a typed error. */
@Injectable()
export class AuthService {
  private readonly agencies: AgencyRepository;
  private readonly sessions: CitizenAuthRepository;
  /**
   * Agency keys are read for every request, never cached (a revoked key is refused at once, on every instance); the
   * requests that arrive together (agencies publishing an event per request) share one read.
   */
  private readonly keys = new GroupCommit<string, KeyCredential | null>(
    async (ids) => {
      const found = new Map((await this.agencies.findKeys([...new Set(ids)])).map((key) => [key.id, key]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { concurrency: 2, gatherTurn: true },
  );

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly metrics: MetricsService,
    private readonly refused: RefusedCredentials,
  ) {
    this.agencies = new AgencyRepository(em);
    this.sessions = new CitizenAuthRepository(em);
  }

  /** @param ip the client address, for the audit entry of a refused credential */
  async authenticate(header: string | undefined, ip: string | null = null): Promise<Principal> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const named: Named = { keyId: null, agencyId: null };
    try {
      return await this.principalOf(token, named);
    } catch (error) {
      if (error instanceof AuthError) {
        const credential = credentialKind(token);
        this.metrics.credentialsRefused.inc({ credential, reason: error.code });
        // A credential that was sent and refused; an expired citizen session is routine, not worth a trail entry.
        if (token !== undefined && !(credential === 'citizen' && error.code === AuthErrorCode.TokenExpired)) {
          this.refused.note({ credential, reason: error.code, ...named, ip: credential === 'citizen' ? null : ip });
        }
      }
      throw error;
    }
  }

  private async principalOf(token: string | undefined, named: Named): Promise<Principal> {
    if (token === undefined) throw new AuthError(AuthErrorCode.Unauthenticated, 'send Authorization: Bearer <API key, JWT or citizen session token>');
    if (token.startsWith(CITIZEN_TOKEN_PREFIX)) return this.fromCitizenToken(token);
    if (token.split('.').length === 3) return this.fromJwt(token, named);
    const credential = splitCredential(token);
    if (credential === null) throw new AuthError(AuthErrorCode.InvalidCredentials, 'malformed API key');
    named.keyId = credential.id;
    if (credential.id.startsWith('adm_')) {
      const admin = await this.agencies.findAdmin(credential.id);
      if (admin === null || !safeEqual(admin.secretHash, hashSecret(credential.secret))) throw invalid();
      return { kind: 'admin', adminId: admin.id };
    }
    const key = await this.keys.submit(credential.id);
    named.agencyId = key?.agency.id ?? null;
    if (key === null || key.revoked || !safeEqual(key.secretHash, hashSecret(credential.secret))) throw invalid();
    return agencyPrincipal(key);
  }

  /** Starts a citizen session after a successful sign-in; the token is returned once and stored hashed. */
  async startCitizenSession(citizenId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = newCitizenToken();
    const expiresAt = new Date(now.getTime() + CITIZEN_SESSION_SECONDS * 1000);
    await this.sessions.addSession(hashSecret(token), citizenId, expiresAt);
    return { token, expiresAt };
  }

  /** Ends one citizen session (sign-out): its token is refused from then on. */
  async endCitizenSession(sessionHash: string): Promise<void> {
    await this.sessions.endSession(sessionHash);
  }

  private async fromCitizenToken(token: string): Promise<Principal> {
    const sessionHash = hashSecret(token);
    const session = isCitizenToken(token) ? await this.sessions.session(sessionHash) : null;
    if (session === null) throw new AuthError(AuthErrorCode.InvalidCredentials, 'unknown or malformed citizen session token: sign in again');
    if (session.expiresAt.getTime() <= Date.now()) throw new AuthError(AuthErrorCode.TokenExpired, 'the citizen session has expired: sign in again');
    return { kind: 'citizen', citizenId: session.citizenId, sessionHash };
  }

  private async fromJwt(token: string, named: Named): Promise<Principal> {
    const issuer = peekIssuer(token);
    if (issuer !== null && isKeyId(issuer)) named.keyId = issuer;
    const key = issuer === null ? null : await this.keys.submit(issuer);
    named.agencyId = key?.agency.id ?? null;
    if (key === null || key.revoked) throw invalid();
    verifyJwt(token, this.openSecret(key.secretSealed), Math.floor(Date.now() / 1000));
    return agencyPrincipal(key);
  }

  /**
   * A key's secret for checking a signature. One sealed under a master key the hub no longer holds cannot check
   * anything: to the agency that is a key that no longer works (the bearer key itself, checked by hash, still does).
   */
  private openSecret(sealed: string): string {
    try {
      return this.box.decrypt(sealed);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'this key can no longer verify a JWT: send the key itself, or ask for a new one');
    }
  }
}

/** What kind of credential a token claims to be, for counting refusals; never the key id. */
function credentialKind(token: string | undefined): string {
  if (token === undefined) return 'none';
  if (token.startsWith(CITIZEN_TOKEN_PREFIX)) return 'citizen';
  if (token.split('.').length === 3) return 'jwt';
  return token.startsWith('adm_') ? 'admin' : 'agency';
}

function agencyPrincipal(key: KeyCredential): Principal {
  return {
    kind: 'agency',
    agencyId: key.agency.id,
    agencyCode: key.agency.code,
    keyId: key.id,
    keyKind: key.kind === 'test' ? 'test' : 'live',
    limits: { perMinute: key.agency.ratePerMinute, perDay: key.agency.dailyQuota },
  };
}

// One message for unknown, revoked and wrong keys alike: the caller learns nothing about which keys exist.
const invalid = (): AuthError => new AuthError(AuthErrorCode.InvalidCredentials, 'unknown, revoked or wrong API key');
