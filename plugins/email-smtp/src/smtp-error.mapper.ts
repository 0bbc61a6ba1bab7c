import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

/** What an SMTP client error tells us, independent of the library that raised it. */
export interface SmtpFailure {
  readonly message: string;
  /** The library's code: ETIMEDOUT, ECONNECTION, ESOCKET, EDNS, ETLS, EAUTH, EENVELOPE, EMESSAGE, ... */
  readonly code?: string;
  /** The socket error beneath, e.g. ECONNREFUSED. */
  readonly originalCode?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
  readonly timeoutType?: string;
}

// Replies that ask the client to slow down or come back later (421 closing, 450/451 greylisting, 452 over quota).
const BACK_OFF = new Set([421, 450, 451, 452]);
// Mailbox unavailable, user not local, mailbox name not allowed: the address itself is wrong.
const BAD_MAILBOX = new Set([550, 551, 553]);
// Authentication required / too weak / credentials invalid.
const AUTH_REFUSED = new Set([530, 534, 535]);
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY', 'EREQUIRETLS']);

/**
 * The hub's view of an SMTP failure. The message names the relay, the reply code and the command, never the
 * server's free text verbatim: replies often echo the recipient's address, which must not reach logs.
 * @example toPluginError({ message: '…', code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, 'smtp.example.go.id:587')
 */
export function toPluginError(failure: SmtpFailure, peer: string): PluginError {
  const details = { peer, ...pick(failure) };
  const reply = failure.responseCode;
  if (reply !== undefined && reply >= 400) {
    const command = failure.command === undefined ? '' : ` to ${failure.command.split(' ').slice(0, 2).join(' ')}`;
    const text = failure.response === undefined ? '' : `: ${redact(failure.response)}`;
    const reason = `SMTP ${reply}${command} from ${peer}${text}`;
    return new PluginError(codeForReply(reply, failure), reason, details);
  }
  if (failure.code === 'EAUTH' || failure.code === 'ENOAUTH') {
    return new PluginError(PluginErrorCode.Unauthorized, `authentication with ${peer} failed`, details);
  }
  if (failure.code === 'ETIMEDOUT') {
    const what = failure.timeoutType === undefined ? 'timed out' : `timed out (${failure.timeoutType})`;
    return new PluginError(PluginErrorCode.Timeout, `SMTP ${peer} ${what}`, details);
  }
  if (failure.code === 'EENVELOPE') {
    // Raised before any reply: the library found no usable recipient in what we gave it.
    return new PluginError(PluginErrorCode.InvalidRecipient, `no valid recipient for ${peer}`, details);
  }
  if (failure.code !== undefined && CONNECTION_CODES.has(failure.code)) {
    const beneath = failure.originalCode ?? failure.code;
    return new PluginError(PluginErrorCode.ConnectionFailed, `connection to ${peer} failed (${beneath}): ${redact(failure.message)}`, details);
  }
  return new PluginError(PluginErrorCode.ProviderError, `SMTP ${peer} failed: ${redact(failure.message)}`, details);
}

function codeForReply(reply: number, failure: SmtpFailure): PluginErrorCode {
  if (AUTH_REFUSED.has(reply) || failure.code === 'EAUTH') return PluginErrorCode.Unauthorized;
  if (reply < 500) return BACK_OFF.has(reply) ? PluginErrorCode.RateLimited : PluginErrorCode.ProviderError;
  // 503 is a bad command sequence on this session, not a verdict on the message.
  if (reply === 503) return PluginErrorCode.ProviderError;
  const atRecipient = failure.command?.toUpperCase().startsWith('RCPT') === true || failure.code === 'EENVELOPE';
  return atRecipient && BAD_MAILBOX.has(reply) ? PluginErrorCode.InvalidRecipient : PluginErrorCode.Rejected;
}

/** Removes anything shaped like an e-mail address (with or without angle brackets) from server text. */
function redact(text: string): string {
  return text.replace(/<?[^\s<>@]+@[^\s<>]+>?/g, '<address>').slice(0, 300);
}

function pick(failure: SmtpFailure): Record<string, string | number> {
  const { code, originalCode, responseCode, timeoutType } = failure;
  return Object.fromEntries(Object.entries({ code, originalCode, responseCode, timeoutType }).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
}
