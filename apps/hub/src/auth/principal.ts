/** Who is calling: a platform admin, an agency system holding one of its keys, or a signed-in citizen. */
export type Principal =
  | { readonly kind: 'admin'; readonly adminId: string }
  | {
      readonly kind: 'agency';
      readonly agencyId: string;
      readonly agencyCode: string;
      readonly keyId: string;
      readonly keyKind: 'test' | 'live';
      readonly limits: { readonly perMinute: number; readonly perDay: number };
    }
  /** sessionHash: the stored hash of the token the citizen called with, so signOut can end that session only. */
  | { readonly kind: 'citizen'; readonly citizenId: string; readonly sessionHash: string };

export type AgencyPrincipal = Extract<Principal, { kind: 'agency' }>;
export type CitizenPrincipal = Extract<Principal, { kind: 'citizen' }>;

export type AdminPrincipal = Extract<Principal, { kind: 'admin' }>;
