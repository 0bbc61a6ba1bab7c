// Webhook bodies shaped as the Cloud API sends them (field `messages`), with realistic values; override what a test is about.

export const BUSINESS_PHONE_NUMBER_ID = '106540352242922';
export const CITIZEN_WA_ID = '6281234567890';
/** A wamid of a message Kabar sent. */
export const SENT_WAMID = 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjdGNkE5QjA0RjlDQzE0RjY0OQA=';

type Json = Record<string, unknown>;

/** The envelope around one or more `value`s, one change each, in one entry. */
export function aWebhook(...values: Json[]): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: values.map((value) => ({ value, field: 'messages' })) }],
  };
}

/** A change `value` carrying delivery receipts. */
export function aStatusValue(...statuses: Json[]): Json {
  return { messaging_product: 'whatsapp', metadata: { display_phone_number: '6281115002024', phone_number_id: BUSINESS_PHONE_NUMBER_ID }, statuses };
}

/** A change `value` carrying what a citizen sent, with the contact Meta resolved. */
export function aMessagesValue(...messages: Json[]): Json {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '6281115002024', phone_number_id: BUSINESS_PHONE_NUMBER_ID },
    contacts: [{ profile: { name: 'Budi Santoso' }, wa_id: CITIZEN_WA_ID }],
    messages,
  };
}

export function aStatus(overrides: Json = {}): Json {
  return {
    id: SENT_WAMID,
    status: 'delivered',
    timestamp: '1735707600',
    recipient_id: CITIZEN_WA_ID,
    conversation: { id: 'ebd1b0c8a4f5e1c5c0b3b2a1a0f9e8d7', origin: { type: 'utility' } },
    pricing: { billable: true, pricing_model: 'CBP', category: 'utility' },
    ...overrides,
  };
}

/** A `failed` receipt with Meta's error object (code, title, message, error_data.details, href). */
export function aFailedStatus(code: number, title: string, details: string): Json {
  return {
    id: SENT_WAMID,
    status: 'failed',
    timestamp: '1735707605',
    recipient_id: CITIZEN_WA_ID,
    errors: [{ code, title, message: title, error_data: { details }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }],
  };
}

export function anInboundMessage(type: string, content: Json, overrides: Json = {}): Json {
  return { from: CITIZEN_WA_ID, id: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMUY4QzQ1RjE4QTlBRTk1AA==', timestamp: '1735707660', type, ...content, ...overrides };
}
