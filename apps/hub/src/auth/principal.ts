/** Who is calling: a platform admin or an agency system holding one of its keys. */
export type Principal =
  | { readonly kind: 'admin'; readonly adminId: string }
  | {
      readonly kind: 'agency';
      readonly agencyId: string;
      readonly agencyCode: string;
      readonly keyId: string;
      readonly keyKind: 'test' | 'live';
      readonly limits: { readonly perMinute: number; readonly perDay: number };
    };

export type AgencyPrincipal = Extract<Principal, { kind: 'agency' }>;
