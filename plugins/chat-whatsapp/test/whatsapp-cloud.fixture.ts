import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { type Certificate, closeNow, selfSignedCertificate } from '@kabar/testing';

/** Meta's trace id, fixed so error messages can be compared whole. */
export const FBTRACE_ID = 'AZk3mPq9XyT1vLw8nR2bC7d';

/** How the peer answers a recipient; every number is well-formed E.164, so only the behaviour tells them apart. */
export type Behaviour =
  | 'notOnWhatsApp'
  | 'notAllowed'
  | 'invalidParameter'
  | 'missingParameter'
  | 'outsideWindow'
  | 'throughput'
  | 'pairRateLimit'
  | 'wabaRateLimit'
  | 'tooManyRequests'
  | 'permissionDenied'
  | 'somethingWentWrong'
  | 'unknownError'
  | 'serviceUnavailable'
  | 'badGateway'
  | 'noMessageId'
  | 'held'
  | 'hang'
  | 'garbage'
  | 'drop';

const BEHAVIOURS: readonly Behaviour[] = [
  'notOnWhatsApp', 'notAllowed', 'invalidParameter', 'missingParameter', 'outsideWindow', 'throughput', 'pairRateLimit', 'wabaRateLimit', 'tooManyRequests',
  'permissionDenied', 'somethingWentWrong', 'unknownError', 'serviceUnavailable', 'badGateway', 'noMessageId', 'held', 'hang', 'garbage', 'drop',
];

/** Indonesian mobile numbers (+62 899…) that make the peer misbehave in one way each, with the Graph API's error bodies. */
export const MAGIC_RECIPIENTS = Object.fromEntries(BEHAVIOURS.map((b, i) => [b, `+628990000${String(i).padStart(4, '0')}`])) as Readonly<Record<Behaviour, string>>;

/** Business phone number ids for which every request, the check's GET included, hangs, gets HTML or is dropped. */
export const MAGIC_PHONE_NUMBER_IDS = { hang: '100000000000001', garbage: '100000000000002', drop: '100000000000003' } as const;

/** A throwaway self-signed certificate for 127.0.0.1 and localhost. */
export const graphCertificate = (): Certificate => selfSignedCertificate('kabar-test-graph');


export interface ReceivedRequest {
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Exactly as it arrived. */
  readonly body: string;
  /** The HTTP status the peer answered with; undefined while it holds or hangs, or when it dropped the connection. */
  status?: number;
}

export interface GraphPeerOptions {
  readonly phoneNumberId: string;
  readonly accessToken: string;
  /** As WhatsApp Manager shows it, e.g. `+62 811-1500-2024`. */
  readonly displayPhoneNumber: string;
  readonly qualityRating: string;
  /** Approved templates; others are refused with 132001. */
  readonly templates: readonly { readonly name: string; readonly language: string }[];
  /** Media citizens sent, by media id: `GET /<version>/<id>` describes one, `GET /media/<id>` serves its bytes. */
  readonly media?: Readonly<Record<string, { readonly mimeType: string; readonly data: Buffer }>>;
}

export interface GraphPeer {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly certificate: Certificate;
  readonly requests: ReceivedRequest[];
  /** The POSTs to `…/messages`. */
  sends(): ReceivedRequest[];
  /** Notification ids (`biz_opaque_callback_data`) of the messages accepted for delivery. */
  delivered(): string[];
  /** How many `held` requests are waiting. */
  held(): number;
  /** Answers the held requests, and every `held` one after them at once. */
  releaseHeld(): void;
  close(): Promise<void>;
}

type Answer = (status: number, body: unknown, headers?: Record<string, string>) => void;

/**
 * A TLS HTTP/1.1 server shaped like the WhatsApp Cloud API on Meta's Graph API (`POST /<version>/<id>/messages`,
 * `GET /<version>/<id>?fields=…`), also under a gateway's path prefix (`/gateway`), recording every request. Bearer
 * token and phone number id are checked, message bodies validated as Meta does; `MAGIC_RECIPIENTS` trigger Meta's
 * errors, a gateway's HTML, a held or hung request or a dropped connection.
 */
export async function startGraphPeer(options: GraphPeerOptions): Promise<GraphPeer> {
  const certificate = graphCertificate();
  const requests: ReceivedRequest[] = [];
  const holding: (() => void)[] = [];
  let released = false;
  const server = https.createServer({ ...certificate, keepAliveTimeout: 60_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'https://graph.test');
      const received: ReceivedRequest = {
        method: request.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const answer: Answer = (status, body, headers = {}) => {
        received.status = status;
        const html = typeof body === 'string';
        response.writeHead(status, { 'content-type': html ? 'text/html; charset=utf-8' : 'application/json', ...headers }).end(html ? body : JSON.stringify(body));
      };
      const hold = (): void => {
        if (released) answer(200, accepted(recipientOf(received.body)));
        else holding.push(() => answer(200, accepted(recipientOf(received.body))));
      };
      route(received, response, options, answer, hold);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sends = (): ReceivedRequest[] => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
  return {
    origin: `https://127.0.0.1:${port}`,
    certificate,
    requests,
    sends,
    delivered: () => sends().filter((r) => r.status === 200).map((r) => (parseJson(r.body) as { biz_opaque_callback_data?: string }).biz_opaque_callback_data ?? '(none)'),
    held: () => holding.length,
    releaseHeld: () => {
      released = true;
      for (const release of holding.splice(0)) release();
    },
    close: () => closeNow(server),
  };
}

function route(received: ReceivedRequest, response: ServerResponse, options: GraphPeerOptions, answer: Answer, hold: () => void): void {
  // Meta serves media bytes from another host (lookaside.fbsbx.com), with the same bearer token.
  const file = /^\/media\/(\d+)$/.exec(received.path);
  if (file !== null) {
    const media = options.media?.[file[1] ?? ''];
    if (received.headers.authorization !== `Bearer ${options.accessToken}`) answer(401, graphError(190, 'Invalid OAuth access token', 'OAuthException'));
    else if (media === undefined) answer(404, graphError(100, 'Media not found', 'GraphMethodException'));
    else response.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.data.length) }).end(media.data);
    return;
  }
  const match = /^(?:\/gateway)?\/v\d+\.\d+\/(\d+)(\/messages)?$/.exec(received.path);
  const [, phoneNumberId = '', messages] = match ?? [];
  const send = received.method === 'POST' && messages !== undefined;
  if (match === null || !(send || (received.method === 'GET' && messages === undefined))) {
    answer(400, graphError(2500, 'Unknown path components', 'OAuthException'));
    return;
  }
  if (received.headers.authorization !== `Bearer ${options.accessToken}`) {
    answer(401, graphError(190, 'Invalid OAuth access token - Cannot parse access token', 'OAuthException'));
    return;
  }
  const magic = Object.entries(MAGIC_PHONE_NUMBER_IDS).find(([, id]) => id === phoneNumberId)?.[0] as keyof typeof MAGIC_PHONE_NUMBER_IDS | undefined;
  if (magic !== undefined) {
    misbehave(magic, response, answer, hold);
    return;
  }
  const media = received.method === 'GET' && messages === undefined ? options.media?.[phoneNumberId] : undefined;
  if (media !== undefined) {
    const url = `https://${received.headers.host ?? ''}/media/${phoneNumberId}`;
    answer(200, { messaging_product: 'whatsapp', url, mime_type: media.mimeType, sha256: createHash('sha256').update(media.data).digest('hex'), file_size: media.data.length, id: phoneNumberId });
    return;
  }
  if (phoneNumberId !== options.phoneNumberId) {
    const verb = send ? 'post' : 'get';
    const text = `Unsupported ${verb} request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`;
    answer(400, graphError(100, text, 'GraphMethodException', { error_subcode: 33 }));
    return;
  }
  if (!send) {
    const fields = (received.query.fields ?? '').split(',');
    answer(200, {
      ...(fields.includes('display_phone_number') ? { display_phone_number: options.displayPhoneNumber } : {}),
      ...(fields.includes('quality_rating') ? { quality_rating: options.qualityRating } : {}),
      id: phoneNumberId,
    });
    return;
  }
  sendMessage(received, options, response, answer, hold);
}

function sendMessage(received: ReceivedRequest, options: GraphPeerOptions, response: ServerResponse, answer: Answer, hold: () => void): void {
  const json = parseJson(received.body) as Record<string, unknown> | undefined;
  const invalid = (details: string): void => answer(400, graphError(100, '(#100) Invalid parameter', 'OAuthException', { details }));
  if (json?.messaging_product !== 'whatsapp') return invalid("Param messaging_product must be 'whatsapp'");
  const to = typeof json.to === 'string' ? json.to : '';
  if (!/^\d{7,15}$/.test(to)) return invalid('Parameter Invalid');
  const behaviour = BEHAVIOURS.find((b) => MAGIC_RECIPIENTS[b] === `+${to}`);
  if (json.type === 'text') {
    const text = json.text as { body?: unknown } | undefined;
    if (typeof text?.body !== 'string' || text.body === '') return invalid("Param text['body'] is required");
    if (behaviour === 'outsideWindow') {
      return answer(400, graphError(131047, '(#131047) Re-engagement message', 'OAuthException', { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' }));
    }
  } else if (json.type === 'interactive') {
    const problem = interactiveProblem(json.interactive);
    if (problem !== undefined) return invalid(problem);
  } else if (json.type === 'template') {
    const problem = templateProblem(json.template, options);
    if (problem !== undefined) return answer(problem.status, problem.body);
  } else {
    return invalid('Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}');
  }
  if (behaviour === undefined || behaviour === 'outsideWindow') return answer(200, accepted(to));
  misbehave(behaviour, response, answer, hold);
}

/** Meta's checks of reply buttons and lists: counts, title lengths, unique ids, body length. */
function interactiveProblem(raw: unknown): string | undefined {
  const interactive = raw as { type?: unknown; body?: { text?: unknown }; action?: { buttons?: { type?: unknown; reply?: { id?: unknown; title?: unknown } }[]; button?: unknown; sections?: { rows?: { id?: unknown; title?: unknown }[] }[] } } | undefined;
  const text = interactive?.body?.text;
  const length = (v: unknown): number => (typeof v === 'string' ? Array.from(v).length : -1);
  const options = (items: readonly { id?: unknown; title?: unknown }[], max: number, maxTitle: number): string | undefined => {
    if (items.length === 0 || items.length > max) return `between 1 and ${String(max)} options are allowed`;
    if (items.some((o) => length(o.id) < 1 || length(o.title) < 1 || length(o.title) > maxTitle)) return `each option needs an id and a title of at most ${String(maxTitle)} characters`;
    return new Set(items.map((o) => o.id)).size === items.length ? undefined : 'option ids must be unique';
  };
  if (interactive?.type === 'button') {
    if (length(text) < 1 || length(text) > 1024) return 'body.text is required, at most 1024 characters';
    const buttons = interactive.action?.buttons ?? [];
    if (buttons.some((b) => b.type !== 'reply')) return 'buttons must be of type reply';
    return options(buttons.map((b) => b.reply ?? {}), 3, 20);
  }
  if (interactive?.type === 'list') {
    if (length(text) < 1 || length(text) > 4096) return 'body.text is required, at most 4096 characters';
    if (length(interactive.action?.button) < 1 || length(interactive.action?.button) > 20) return 'action.button is required, at most 20 characters';
    return options((interactive.action?.sections ?? []).flatMap((section) => section.rows ?? []), 10, 24);
  }
  return 'interactive.type must be button or list';
}

/** Meta's checks of a template message: an approved name and language, and parameters without line breaks. */
function templateProblem(raw: unknown, options: GraphPeerOptions): { status: number; body: unknown } | undefined {
  const template = raw as { name?: unknown; language?: { code?: unknown }; components?: { type?: unknown; parameters?: { type?: unknown; text?: unknown }[] }[] } | undefined;
  const name = String(template?.name);
  const language = String(template?.language?.code);
  if (!options.templates.some((t) => t.name === name && t.language === language)) {
    return { status: 404, body: graphError(132001, '(#132001) Template name does not exist in the translation', 'OAuthException', { details: `template name (${name}) does not exist in ${language}` }) };
  }
  const texts = (template?.components ?? []).flatMap((c) => c.parameters ?? []).map((p) => p.text);
  if (texts.some((text) => typeof text !== 'string' || /[\n\t]| {5,}/.test(text))) {
    const details = 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces';
    return { status: 400, body: graphError(132018, '(#132018) There was an issue with the parameters in your template.', 'OAuthException', { details }) };
  }
  return undefined;
}

/** Every behaviour but the 24-hour window, which only a text message meets (sendMessage). */
function misbehave(behaviour: Exclude<Behaviour, 'outsideWindow'>, response: ServerResponse, answer: Answer, hold: () => void): void {
  const details = (text: string): { details: string } => ({ details: text });
  switch (behaviour) {
    case 'notOnWhatsApp':
      return answer(400, graphError(131026, '(#131026) Message Undeliverable.', 'OAuthException', details('Message Undeliverable.')));
    case 'notAllowed':
      return answer(400, graphError(131030, '(#131030) Recipient phone number not in allowed list', 'OAuthException', details('Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.')));
    case 'invalidParameter':
      return answer(400, graphError(100, '(#100) Invalid parameter', 'OAuthException', details('Parameter Invalid')));
    case 'missingParameter':
      // A template parameter at fault: the same code as a bad number, told apart only by the details.
      return answer(400, graphError(100, '(#100) Invalid parameter', 'OAuthException', details("Parameter 'text' is mandatory for component parameter type 'text'")));
    case 'held':
      return hold();
    case 'throughput':
      return answer(400, graphError(130429, '(#130429) Rate limit hit', 'OAuthException', details('Cloud API message throughput has been reached.')));
    case 'pairRateLimit':
      return answer(400, graphError(131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit', 'OAuthException', details('Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.')));
    case 'wabaRateLimit':
      return answer(400, graphError(80007, '(#80007) Rate limit issues', 'OAuthException', details('The WhatsApp Business Account has reached its rate limit.')));
    case 'tooManyRequests':
      return answer(429, '<html><body><h1>429 Too Many Requests</h1></body></html>', { 'retry-after': '30' });
    case 'permissionDenied':
      return answer(403, graphError(10, '(#10) Application does not have permission for this action', 'OAuthException'));
    case 'somethingWentWrong':
      return answer(500, graphError(131000, '(#131000) Something went wrong', 'OAuthException', details('Message failed to send due to an unknown error.')));
    case 'unknownError':
      return answer(500, graphError(1, 'An unknown error occurred', 'OAuthException', { is_transient: true }));
    case 'serviceUnavailable':
      return answer(503, graphError(2, '(#2) Service temporarily unavailable', 'OAuthException', { is_transient: true }), { 'retry-after': '5' });
    case 'badGateway':
      return answer(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    case 'noMessageId':
      return answer(200, { messaging_product: 'whatsapp', contacts: [], messages: [] });
    case 'hang':
      return;
    case 'garbage':
      return answer(200, '<html><head><title>Hotspot login</title></head><body>Silakan masuk untuk melanjutkan</body></html>');
    case 'drop':
      response.socket?.destroy();
      return;
  }
}

/** Meta's answer to an accepted message: the contact it resolved and the new message's `wamid`. */
function accepted(to: string): unknown {
  return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.HBgN${randomBytes(30).toString('base64')}`, message_status: 'accepted' }] };
}

function recipientOf(body: string): string {
  const to = (parseJson(body) as { to?: unknown } | undefined)?.to;
  return typeof to === 'string' ? to : '';
}

/** The Graph API's error body; `error_data.details` when Meta gives one. */
function graphError(code: number, message: string, type: string, extra: { details?: string; error_subcode?: number; is_transient?: boolean } = {}): unknown {
  const { details, ...rest } = extra;
  return {
    error: { message, type, code, ...rest, ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details } }), fbtrace_id: FBTRACE_ID },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
