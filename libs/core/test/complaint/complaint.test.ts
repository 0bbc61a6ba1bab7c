import { describe, expect, it } from 'vitest';

import {
  checkAnswer,
  checkRoute,
  COMPLAINT_ANSWER_LIMIT,
  COMPLAINT_THREAD_DAYS,
  complaintClosed,
  complaintReceived,
  complaintReference,
  type ComplaintThread,
  complaintTransferred,
  complaintUnrouted,
  firstWord,
  type InboundRoute,
  keywordsAt,
  placeMessage,
  routeFor,
} from '../../src/index.js';

const route = (agencyId: string, channel: string, to: string, keyword: string): InboundRoute & { name: string } => ({ agencyId, channel, to, keyword, name: `${agencyId}/${channel}/${to}/${keyword}` });

/** A city's short code 1708 goes to its complaint desk unless the citizen starts with PAJAK (the tax office). */
const ROUTES = [
  route('lapor', 'sms', '1708', ''),
  route('bapenda', 'sms', '1708', 'PAJAK'),
  route('bapenda', 'sms', '', 'PBB'),
  route('lapor', 'whatsapp', '', ''),
  route('dukcapil', 'sms', '1500537', ''),
];

const at = (iso: string): Date => new Date(iso);

describe('routing a citizen message', () => {
  it('takes the most specific route: address and keyword, then keyword, then address, then the channel catch-all', () => {
    expect(routeFor(ROUTES, { channel: 'sms', to: '1708', text: 'Jalan rusak di Jl. Soekarno' })?.route.name).toBe('lapor/sms/1708/');
    expect(routeFor(ROUTES, { channel: 'sms', to: '1708', text: 'pajak motor saya belum tercatat' })).toEqual({ route: ROUTES[1], byKeyword: true });
    expect(routeFor(ROUTES, { channel: 'sms', to: '1708', text: 'PBB 2026 salah hitung' })?.route.name).toBe('bapenda/sms//PBB');
    expect(routeFor(ROUTES, { channel: 'sms', to: '+1500537', text: 'akta kelahiran' })?.route.name).toBe('dukcapil/sms/1500537/');
    expect(routeFor(ROUTES, { channel: 'whatsapp', to: '106540352242922', text: null })).toEqual({ route: ROUTES[3], byKeyword: false });
  });

  it('finds nothing for a channel or address no route covers', () => {
    expect(routeFor(ROUTES, { channel: 'sms', to: '9999', text: 'halo' })).toBeUndefined();
    expect(routeFor(ROUTES, { channel: 'email', to: null, text: 'halo' })).toBeUndefined();
    expect(routeFor([], { channel: 'sms', to: '1708', text: 'halo' })).toBeUndefined();
  });

  it('lists the keywords an address takes for a message no route took: its own and the channel-wide ones, each once', () => {
    const names = (to: string, channel = 'sms'): string[] => keywordsAt(ROUTES, { channel, to, text: 'halo' }).map((r) => r.name);
    expect(names('9999')).toEqual(['bapenda/sms//PBB']);
    expect(names('+1708')).toEqual(['bapenda/sms/1708/PAJAK', 'bapenda/sms//PBB']);
    expect(names('106540352242922', 'whatsapp')).toEqual([]);
    // An address's own route for a keyword stands before the channel-wide one.
    const own = route('lapor', 'sms', '1708', 'PBB');
    expect(keywordsAt([...ROUTES, own], { channel: 'sms', to: '1708', text: null }).map((r) => r.name)).toEqual(['bapenda/sms/1708/PAJAK', 'lapor/sms/1708/PBB']);
  });

  it('reads the first word past punctuation and in any case, letters of any script', () => {
    expect(firstWord('  #pajak, tolong')).toBe('PAJAK');
    expect(firstWord('Ärger')).toBe('ÄRGER');
    expect(firstWord('...')).toBe('');
    expect(firstWord(null)).toBe('');
  });

  it('checks a route before it is stored, and stores keywords upper-cased', () => {
    expect(checkRoute({ agencyId: 'a', channel: 'sms', to: ' 1708 ', keyword: 'pajak' })).toEqual({ route: { agencyId: 'a', channel: 'sms', to: '1708', keyword: 'PAJAK' } });
    expect(checkRoute({ agencyId: 'a', channel: 'email', to: '', keyword: '' })).toMatchObject({ problem: 'channel' });
    expect(checkRoute({ agencyId: 'a', channel: 'sms', to: '17 08', keyword: '' })).toMatchObject({ problem: 'to' });
    expect(checkRoute({ agencyId: 'a', channel: 'sms', to: '', keyword: 'two words' })).toMatchObject({ problem: 'keyword' });
    expect(checkRoute({ agencyId: 'a', channel: 'whatsapp', to: '', keyword: 'X' })).toMatchObject({ problem: 'keyword' });
  });
});

describe('placing a message', () => {
  const now = at('2026-12-02T10:00:00Z');
  const thread = (over: Partial<ComplaintThread>): ComplaintThread => ({ id: 't1', agencyId: 'lapor', state: 'open', lastActivityAt: at('2026-12-02T09:00:00Z'), ...over });
  const desk = { route: ROUTES[0]!, byKeyword: false };
  const tax = { route: ROUTES[1]!, byKeyword: true };

  it('joins the live thread: a photo after the words, an answer to the agency, even where no route would take it', () => {
    expect(placeMessage(thread({}), desk, now)).toEqual({ kind: 'join', thread: thread({}) });
    expect(placeMessage(thread({ state: 'answered' }), undefined, now)).toMatchObject({ kind: 'join' });
    expect(placeMessage(thread({ agencyId: 'bapenda' }), desk, now)).toMatchObject({ kind: 'join' });
  });

  it('opens a new complaint when the keyword names another agency, the thread is closed or has gone quiet', () => {
    expect(placeMessage(thread({}), tax, now)).toEqual({ kind: 'open', route: ROUTES[1] });
    expect(placeMessage(thread({ agencyId: 'bapenda' }), tax, now)).toMatchObject({ kind: 'join' });
    expect(placeMessage(thread({ state: 'closed' }), desk, now)).toEqual({ kind: 'open', route: ROUTES[0] });
    const quiet = new Date(now.getTime() - COMPLAINT_THREAD_DAYS * 86_400_000 - 1);
    expect(placeMessage(thread({ lastActivityAt: quiet }), desk, now)).toMatchObject({ kind: 'open' });
    expect(placeMessage(thread({ lastActivityAt: new Date(quiet.getTime() + 2) }), desk, now)).toMatchObject({ kind: 'join' });
  });

  it('leaves a message unrouted when there is neither a live thread nor a route', () => {
    expect(placeMessage(undefined, undefined, now)).toEqual({ kind: 'unrouted' });
    expect(placeMessage(thread({ state: 'closed' }), undefined, now)).toEqual({ kind: 'unrouted' });
  });
});

describe('what the citizen reads', () => {
  it('quotes the reference in both languages', () => {
    expect(complaintReference(42)).toBe('ADU-000042');
    expect(complaintReference(12_345_678)).toBe('ADU-12345678');
    expect(complaintReceived('ADU-000042', 'LAPOR!', 'id')).toMatch(/^Aduan Anda diterima dengan nomor ADU-000042 dan diteruskan ke LAPOR!\./);
    expect(complaintReceived('ADU-000042', 'LAPOR!', 'en')).toMatch(/^We received your report ADU-000042 and passed it to LAPOR!\./);
    expect(complaintTransferred('ADU-000042', 'Dinas PU', 'id')).toBe('Aduan ADU-000042 kami teruskan ke Dinas PU, yang akan menjawabnya.');
    expect(complaintTransferred('ADU-000042', 'Dinas PU', 'en')).toBe('Your report ADU-000042 was passed on to Dinas PU, who will answer it.');
    expect(complaintClosed('ADU-000042', 'LAPOR!', null, 'en')).toBe('LAPOR! has closed report ADU-000042. Thank you.');
    expect(complaintClosed('ADU-000042', 'LAPOR!', 'Sudah diperbaiki.', 'id')).toBe('LAPOR! (ADU-000042): Sudah diperbaiki.\n\nLAPOR! telah menutup aduan ADU-000042. Terima kasih.');
  });

  it('tells the sender of an unrouted message the keywords and whose desk each reaches, in their language', () => {
    const choices = [
      { keyword: 'JALAN', agencyName: 'LAPOR! Kota Bandung' },
      { keyword: 'PBB', agencyName: 'Bapenda Kota Bandung' },
    ];
    expect(complaintUnrouted(choices, 'id')).toBe('Pesan Anda belum dapat kami teruskan. Kirim ulang dengan kata kunci di awal: JALAN untuk LAPOR! Kota Bandung, PBB untuk Bapenda Kota Bandung.');
    expect(complaintUnrouted(choices.slice(1), 'en')).toBe('We could not pass your message on. Send it again starting with a keyword: PBB for Bapenda Kota Bandung.');
  });

  it('acknowledges in one SMS, even for an agency with a long name', () => {
    const name = 'Dinas Kependudukan dan Pencatatan Sipil Kota Bdg';
    for (const locale of ['id', 'en'] as const) expect(complaintReceived(complaintReference(12_345_678), name, locale).length).toBeLessThanOrEqual(160);
  });

  it('refuses an empty or overlong answer, counting characters, not bytes', () => {
    expect(checkAnswer('  Sudah kami tangani.  ')).toEqual({ text: 'Sudah kami tangani.' });
    expect(checkAnswer(' \n ')).toEqual({ problem: 'the answer is empty' });
    expect(checkAnswer('é'.repeat(COMPLAINT_ANSWER_LIMIT))).toEqual({ text: 'é'.repeat(COMPLAINT_ANSWER_LIMIT) });
    expect(checkAnswer('a'.repeat(COMPLAINT_ANSWER_LIMIT + 1))).toEqual({ problem: `the answer is longer than ${String(COMPLAINT_ANSWER_LIMIT)} characters` });
  });
});
