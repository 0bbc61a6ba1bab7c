import { CodedError } from '@kabar/core';

export enum StartupErrorCode {
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  SchemaBehind = 'SCHEMA_BEHIND',
  BusUnavailable = 'BUS_UNAVAILABLE',
  PortInUse = 'PORT_IN_USE',
  /** A master key under an id the database knows is not the key it was written with under that id. */
  SecretKeyMismatch = 'SECRET_KEY_MISMATCH',
  /** The key this database's lookup hashes were made with is not among the configured keys. */
  LookupKeyMissing = 'SECRET_LOOKUP_KEY_MISSING',
}

/** Something outside the hub stops it from starting; the message says what to do, and no stack trace is printed. */
export class StartupError extends CodedError<StartupErrorCode> {}

/** Process exit codes, documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  invalidConfig: 2,
  dependencyUnavailable: 3,
  portInUse: 4,
} as const;

export function exitCodeFor(code: StartupErrorCode): number {
  switch (code) {
    case StartupErrorCode.DatabaseUnavailable:
    case StartupErrorCode.SchemaBehind:
    case StartupErrorCode.BusUnavailable:
      return EXIT_CODES.dependencyUnavailable;
    case StartupErrorCode.PortInUse:
      return EXIT_CODES.portInUse;
    case StartupErrorCode.SecretKeyMismatch:
    case StartupErrorCode.LookupKeyMissing:
      return EXIT_CODES.invalidConfig;
  }
}
