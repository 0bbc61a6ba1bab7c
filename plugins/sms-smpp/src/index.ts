import { smsSmppPlugin } from './sms-smpp.plugin.js';

export { type DeliveryReceipt, parseDeliveryReceipt, type ReceiptState } from './delivery-receipt.parser.js';
export { decodeGsm7, encodeGsm7 } from './gsm7-alphabet.codec.js';
export { type DataCoding, type EncodedSms,encodeSms } from './sms-message.encoder.js';
export { type SmsSmppConfig, type SmsSmppManifest, smsSmppPlugin } from './sms-smpp.plugin.js';
export type { InboundSms, SmsSmppContext } from './sms-smpp-context.type.js';

export default smsSmppPlugin;
