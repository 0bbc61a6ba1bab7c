/**
 * Why a provider refused a webhook request. The hub answers each with one HTTP status (in parentheses) and an
 * `application/problem+json` body carrying the code, so a peer's console and the hub's log say the same thing.
 */
export enum ProviderWebhookErrorCode {
  /** (400) Not what the peer sends: a body that is not JSON or lacks what matters, a handshake without its fields. */
  Malformed = 'WEBHOOK_MALFORMED',
  /** (401) The signature is missing, malformed or made with another secret. */
  BadSignature = 'WEBHOOK_BAD_SIGNATURE',
  /** (403) Authenticated by a shared token that does not match, e.g. a subscription handshake's verify token. */
  Forbidden = 'WEBHOOK_FORBIDDEN',
  /** (404) The provider lacks the secret that would authenticate the request, so it accepts none of that kind. */
  NotConfigured = 'WEBHOOK_NOT_CONFIGURED',
  /** (405) A method the provider does not serve. */
  MethodNotAllowed = 'WEBHOOK_METHOD_NOT_ALLOWED',
  /**
   * (503) Authenticated and well formed, but the hub could not record what it carried (a hook rejected: its database
   * is unreachable). Peers such as Meta send the request again later, so nothing the citizen wrote is lost.
   */
  NotRecorded = 'WEBHOOK_NOT_RECORDED',
}
