import type { Locale } from '../notify/message-class.js';
import { isTwoWay } from '../survey/session.js';

/**
 * The complaint desk: what a citizen sends on their own (to a city's SMS short code, or an agency's WhatsApp number)
 * rather than in answer to a notification. Admins route it by where it was sent and, optionally, its first word (the
 * 311 habit of "PAJAK …", "JALAN …"); the agency answers through Kabar, which carries the answer back on the channel
 * the citizen used. Pure: the hub loads routes and threads and stores what comes out.
 */

/**
 * A citizen's later message joins their complaint (details, a photo, an answer to the agency's question) while it is
 * not closed and has seen activity within this many days; after that it opens a new one.
 */
export const COMPLAINT_THREAD_DAYS = 7;

/** The longest answer an agency sends in one go: what a few concatenated SMS parts or a WhatsApp message carry well. */
export const COMPLAINT_ANSWER_LIMIT = 1_000;

/** `answered`: the agency has written back and the complaint is not closed; the citizen may still add to it. */
export type ComplaintState = 'open' | 'answered' | 'closed';

export const COMPLAINT_STATES: readonly ComplaintState[] = ['open', 'answered', 'closed'];

export const isComplaintState = (v: string): v is ComplaintState => (COMPLAINT_STATES as readonly string[]).includes(v);

/**
 * Where citizens' own messages go. `to` is the address they wrote to (a short code, a long number, a WhatsApp
 * business number id) and `keyword` their first word; empty means any. The most specific route wins.
 */
export interface InboundRoute {
  readonly agencyId: string;
  readonly channel: string;
  readonly to: string;
  readonly keyword: string;
}

/** What routing reads of a citizen's message. */
export interface InboundAddressing {
  readonly channel: string;
  readonly to: string | null;
  readonly text: string | null;
}

export interface RouteMatch<R extends InboundRoute> {
  readonly route: R;
  /** The route named the message's first word: the citizen chose this agency. */
  readonly byKeyword: boolean;
}

/** Keywords are one word of letters and digits, matched without regard to case. */
const KEYWORD = /^[A-Z0-9]{2,20}$/;
/** A short code, a number (E.164 with or without +) or a provider's id of the receiving number. */
const ADDRESS = /^\+?[A-Za-z0-9._-]{1,32}$/;

export type RouteProblem = 'channel' | 'to' | 'keyword';

/** The route as stored (keyword upper-cased, blanks trimmed), or what is wrong with it. */
export function checkRoute(input: InboundRoute): { readonly route: InboundRoute } | { readonly problem: RouteProblem; readonly message: string } {
  if (!isTwoWay(input.channel)) return { problem: 'channel', message: `channel must be one citizens can write on (sms, whatsapp), not "${input.channel}"` };
  const to = input.to.trim();
  if (to !== '' && !ADDRESS.test(to)) return { problem: 'to', message: 'to must be a short code, a number or a provider id of at most 32 characters' };
  const keyword = input.keyword.trim().toUpperCase();
  if (keyword !== '' && !KEYWORD.test(keyword)) return { problem: 'keyword', message: 'keyword must be one word of 2–20 letters or digits' };
  return { route: { agencyId: input.agencyId, channel: input.channel, to, keyword } };
}

/** The message's first word, upper-cased as keywords are stored; empty when it has none. */
export function firstWord(text: string | null): string {
  const match = /^[\s\p{P}]*([\p{L}\p{N}]+)/u.exec(text ?? '');
  return match?.[1]?.toUpperCase() ?? '';
}

const sameAddress = (a: string, b: string | null): boolean => b !== null && a.replace(/^\+/, '') === b.replace(/^\+/, '');

/**
 * The route for a message: of those on its channel whose `to` and `keyword` fit (empty fits all), the one that names
 * both, then the keyword, then the address, then the channel's catch-all. Undefined when none fits.
 */
export function routeFor<R extends InboundRoute>(routes: readonly R[], message: InboundAddressing): RouteMatch<R> | undefined {
  const word = firstWord(message.text);
  let best: { route: R; rank: number } | undefined;
  for (const route of routes) {
    if (route.channel !== message.channel) continue;
    if (route.to !== '' && !sameAddress(route.to, message.to)) continue;
    if (route.keyword !== '' && route.keyword !== word) continue;
    const rank = (route.keyword === '' ? 0 : 2) + (route.to === '' ? 0 : 1);
    if (best === undefined || rank > best.rank) best = { route, rank };
  }
  return best === undefined ? undefined : { route: best.route, byKeyword: best.route.keyword !== '' };
}

/** The citizen's latest complaint on the same channel from the same address, as placing a message reads it. */
export interface ComplaintThread {
  readonly id: string;
  readonly agencyId: string;
  readonly state: ComplaintState;
  readonly lastActivityAt: Date;
}

export type Placement<R extends InboundRoute> =
  | { readonly kind: 'join'; readonly thread: ComplaintThread }
  | { readonly kind: 'open'; readonly route: R }
  | { readonly kind: 'unrouted' };

/**
 * Where one message goes: into the citizen's live thread (so a photo sent after the words, or an answer to the
 * agency's question, stays with its complaint), unless its keyword names another agency; otherwise a new complaint
 * by its route; `unrouted` when no route takes it.
 */
export function placeMessage<R extends InboundRoute>(thread: ComplaintThread | undefined, match: RouteMatch<R> | undefined, now: Date): Placement<R> {
  const live = thread !== undefined && thread.state !== 'closed' && now.getTime() - thread.lastActivityAt.getTime() <= COMPLAINT_THREAD_DAYS * 86_400_000;
  if (live && !(match?.byKeyword === true && match.route.agencyId !== thread.agencyId)) return { kind: 'join', thread };
  return match === undefined ? { kind: 'unrouted' } : { kind: 'open', route: match.route };
}

/**
 * The keyword routes a citizen could have used at the address they wrote to, one per keyword (an address's own
 * route before the channel-wide one), in keyword order: what a message no route took is answered with. Empty where
 * the address takes no keywords, and then nothing is answered (a number that takes no messages stays silent).
 */
export function keywordsAt<R extends InboundRoute>(routes: readonly R[], message: InboundAddressing): R[] {
  const byKeyword = new Map<string, R>();
  for (const route of routes) {
    if (route.channel !== message.channel || route.keyword === '') continue;
    if (route.to !== '' && !sameAddress(route.to, message.to)) continue;
    const seen = byKeyword.get(route.keyword);
    if (seen === undefined || (seen.to === '' && route.to !== '')) byKeyword.set(route.keyword, route);
  }
  return [...byKeyword.values()].sort((a, b) => a.keyword.localeCompare(b.keyword));
}

/** The number citizens quote: "ADU" (aduan, a complaint) and the complaint's sequence number. */
export const complaintReference = (number: number): string => `ADU-${String(number).padStart(6, '0')}`;

// Short enough for one SMS (160 GSM characters) with an agency name of up to 50: each part more is paid for again.
type Words = (ref: string, agency: string) => string;

const WORDS: Readonly<Record<Locale, { readonly received: Words; readonly closed: Words; readonly transferred: Words; readonly unrouted: (choices: string) => string; readonly choice: Words }>> = {
  id: {
    unrouted: (choices) => `Pesan Anda belum dapat kami teruskan. Kirim ulang dengan kata kunci di awal: ${choices}.`,
    choice: (keyword, agency) => `${keyword} untuk ${agency}`,
    transferred: (ref, agency) => `Aduan ${ref} kami teruskan ke ${agency}, yang akan menjawabnya.`,
    received: (ref, agency) => `Aduan Anda diterima dengan nomor ${ref} dan diteruskan ke ${agency}. Balas pesan ini untuk menambah keterangan.`,
    closed: (ref, agency) => `${agency} telah menutup aduan ${ref}. Terima kasih.`,
  },
  en: {
    unrouted: (choices) => `We could not pass your message on. Send it again starting with a keyword: ${choices}.`,
    choice: (keyword, agency) => `${keyword} for ${agency}`,
    transferred: (ref, agency) => `Your report ${ref} was passed on to ${agency}, who will answer it.`,
    received: (ref, agency) => `We received your report ${ref} and passed it to ${agency}. Reply to this message to add details.`,
    closed: (ref, agency) => `${agency} has closed report ${ref}. Thank you.`,
  },
};

/** What a citizen whose message no route took is told: the keywords this address takes, and whose desk each reaches. */
export const complaintUnrouted = (choices: readonly { readonly keyword: string; readonly agencyName: string }[], locale: Locale): string =>
  WORDS[locale].unrouted(choices.map((c) => WORDS[locale].choice(c.keyword, c.agencyName)).join(', '));

/** What the citizen is told when their message opens a complaint. */
export const complaintReceived = (reference: string, agencyName: string, locale: Locale): string => WORDS[locale].received(reference, agencyName);

/** What the citizen is told when the agency hands their complaint to the one responsible. */
export const complaintTransferred = (reference: string, agencyName: string, locale: Locale): string => WORDS[locale].transferred(reference, agencyName);

/** The agency's answer as the citizen reads it: whose answer, to which complaint. */
export const complaintAnswer = (reference: string, agencyName: string, text: string): string => `${agencyName} (${reference}): ${text}`;

/** The agency's closing, with its last words when it gave some. */
export const complaintClosed = (reference: string, agencyName: string, text: string | null, locale: Locale): string =>
  text === null ? WORDS[locale].closed(reference, agencyName) : `${complaintAnswer(reference, agencyName, text)}\n\n${WORDS[locale].closed(reference, agencyName)}`;

/** An agency's answer as it may be sent: trimmed, not empty, within COMPLAINT_ANSWER_LIMIT. */
export function checkAnswer(text: string): { readonly text: string } | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'the answer is empty' };
  // Characters as the citizen counts them (code points), not UTF-16 units.
  if (Array.from(trimmed).length > COMPLAINT_ANSWER_LIMIT) return { problem: `the answer is longer than ${String(COMPLAINT_ANSWER_LIMIT)} characters` };
  return { text: trimmed };
}
