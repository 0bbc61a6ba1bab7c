/** GSM 03.38 default alphabet: a character's index is its septet. ESC (0x1B) is left out: it only prefixes extensions. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: these cost two septets, ESC then the code. */
const EXTENSION: Readonly<Record<string, number>> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};

export const GSM7_ESCAPE = 0x1b;

const BASIC_SEPTETS = new Map(Array.from(BASIC).map((char, septet) => [char, septet] as const).filter(([char]) => char !== '\u001b'));
const EXTENSION_SEPTETS = new Map(Object.entries(EXTENSION));
const BASIC_CHARS = Array.from(BASIC);
const EXTENSION_CHARS = new Map(Object.entries(EXTENSION).map(([char, septet]) => [septet, char] as const));

/**
 * The text as unpacked GSM 7-bit septets (one per octet, as SMPP carries data_coding 0), or `undefined` when a
 * character is outside the default alphabet and its extension table.
 * @example encodeGsm7('Rp 10€') // <52 70 20 31 30 1b 65>
 */
export function encodeGsm7(text: string): Buffer | undefined {
  const septets: number[] = [];
  for (const char of text) {
    const basic = BASIC_SEPTETS.get(char);
    if (basic !== undefined) {
      septets.push(basic);
      continue;
    }
    const extension = EXTENSION_SEPTETS.get(char);
    if (extension === undefined) return undefined;
    septets.push(GSM7_ESCAPE, extension);
  }
  return Buffer.from(septets);
}

/**
 * Unpacked GSM 7-bit septets back to text; an unknown extension code reads as a space, as handsets show it.
 * @example decodeGsm7(Buffer.from([0x48, 0x69])) // 'Hi'
 */
export function decodeGsm7(septets: Uint8Array): string {
  let text = '';
  for (let index = 0; index < septets.length; index++) {
    const septet = septets[index] ?? 0;
    if (septet === GSM7_ESCAPE) {
      index++;
      text += EXTENSION_CHARS.get(septets[index] ?? -1) ?? ' ';
    } else {
      text += BASIC_CHARS[septet & 0x7f] ?? ' ';
    }
  }
  return text;
}
