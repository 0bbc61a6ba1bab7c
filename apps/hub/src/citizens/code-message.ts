import type { Locale } from '@kabar/core';

export type CodePurpose = 'sign-in' | 'verify';

/** Minutes a one-time code stays valid; said in the message, so it lives beside it. */
export const CODE_TTL_MINUTES = 10;

const TEXT: Readonly<Record<Locale, Readonly<Record<CodePurpose, { subject: string; body: (code: string) => string }>>>> = {
  id: {
    'sign-in': { subject: 'Kode masuk Kabar', body: (code) => `Kode masuk Kabar Anda: ${code}. Berlaku ${CODE_TTL_MINUTES} menit. Jangan berikan kepada siapa pun.` },
    verify: { subject: 'Kode verifikasi Kabar', body: (code) => `Kode verifikasi Kabar Anda: ${code}. Berlaku ${CODE_TTL_MINUTES} menit. Jangan berikan kepada siapa pun.` },
  },
  en: {
    'sign-in': { subject: 'Your Kabar sign-in code', body: (code) => `Your Kabar sign-in code: ${code}. Valid for ${CODE_TTL_MINUTES} minutes. Do not share it with anyone.` },
    verify: { subject: 'Your Kabar verification code', body: (code) => `Your Kabar verification code: ${code}. Valid for ${CODE_TTL_MINUTES} minutes. Do not share it with anyone.` },
  },
};

/**
 * The words of a code message in the citizen's language.
 * @example codeMessage('id', 'sign-in', '123456').body // 'Kode masuk Kabar Anda: 123456. Berlaku 10 menit. Jangan berikan kepada siapa pun.'
 */
export function codeMessage(locale: Locale, purpose: CodePurpose, code: string): { subject: string; body: string } {
  const text = TEXT[locale][purpose];
  return { subject: text.subject, body: text.body(code) };
}
