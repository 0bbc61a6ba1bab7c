import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

/** SMPP 3.4 command_status values the SMSC may answer with, by name, for error messages and the mapping below. */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  0x01: 'ESME_RINVMSGLEN',
  0x02: 'ESME_RINVCMDLEN',
  0x03: 'ESME_RINVCMDID',
  0x04: 'ESME_RINVBNDSTS',
  0x05: 'ESME_RALYBND',
  0x08: 'ESME_RSYSERR',
  0x0a: 'ESME_RINVSRCADR',
  0x0b: 'ESME_RINVDSTADR',
  0x0d: 'ESME_RBINDFAIL',
  0x0e: 'ESME_RINVPASWD',
  0x0f: 'ESME_RINVSYSID',
  0x14: 'ESME_RMSGQFUL',
  0x45: 'ESME_RSUBMITFAIL',
  0x48: 'ESME_RINVSRCTON',
  0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON',
  0x51: 'ESME_RINVDSTNPI',
  0x58: 'ESME_RTHROTTLED',
  0x64: 'ESME_RX_T_APPN',
  0x65: 'ESME_RX_P_APPN',
  0x66: 'ESME_RX_R_APPN',
};

/** What each refusal of submit_sm means to the hub; anything unlisted is a refusal of this message as it stands. */
const SUBMIT_CODES: Readonly<Record<number, PluginErrorCode>> = {
  0x58: PluginErrorCode.RateLimited,
  0x14: PluginErrorCode.ProviderError,
  0x08: PluginErrorCode.ProviderError,
  0x45: PluginErrorCode.ProviderError,
  // The SMSC says our session is not bound: the transport is broken, not the message.
  0x04: PluginErrorCode.ConnectionFailed,
  // "Temporary application error" is the SMSC asking to be tried later.
  0x64: PluginErrorCode.ProviderError,
  0x0b: PluginErrorCode.InvalidRecipient,
  0x50: PluginErrorCode.InvalidRecipient,
  0x51: PluginErrorCode.InvalidRecipient,
  0x0a: PluginErrorCode.Rejected,
};

/**
 * The `PluginError` for a submit_sm_resp whose command_status is not 0.
 * @example submitError(0x58) // PluginError RATE_LIMITED 'the SMSC refused submit_sm: ESME_RTHROTTLED (0x00000058)'
 */
export function submitError(status: number): PluginError {
  const code = SUBMIT_CODES[status] ?? PluginErrorCode.Rejected;
  return new PluginError(code, `the SMSC refused submit_sm: ${describeStatus(status)}`, { commandStatus: status });
}

/** A refused bind_transceiver: wrong system_id, password or system_type, or an account the SMSC does not allow. */
export function bindError(status: number, where: string): PluginError {
  return new PluginError(PluginErrorCode.Unauthorized, `bind_transceiver to ${where} refused: ${describeStatus(status)}`, { commandStatus: status });
}

export function describeStatus(status: number): string {
  return `${STATUS_NAMES[status] ?? 'command_status'} (0x${status.toString(16).padStart(8, '0')})`;
}
