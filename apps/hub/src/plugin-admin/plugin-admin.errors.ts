import { CodedError } from '@kabar/core';

export enum PluginAdminErrorCode {
  /** The tarball or directory is not a Kabar plugin package (no manifest, bad manifest, unsafe entries). */
  InvalidPackage = 'INVALID_PLUGIN_PACKAGE',
  /** The tarball's integrity hash is not the one the admin expected: it changed since it was reviewed. */
  IntegrityMismatch = 'PLUGIN_INTEGRITY_MISMATCH',
  /** The configuration does not match the plugin's schema. */
  InvalidConfig = 'INVALID_PLUGIN_CONFIG',
  NotFound = 'PLUGIN_NOT_FOUND',
  /** The step needs an earlier one: approve before configure, a passing check before enable. */
  WrongState = 'PLUGIN_WRONG_STATE',
  AlreadyInstalled = 'PLUGIN_ALREADY_INSTALLED',
  /** An install name must be a kebab-case word: it appears in routes, metrics and delivery records. */
  InvalidName = 'INVALID_PLUGIN_NAME',
  InvalidRateLimit = 'INVALID_RATE_LIMIT',
  InvalidRoute = 'INVALID_ROUTE',
}

export class PluginAdminError extends CodedError<PluginAdminErrorCode> {}
