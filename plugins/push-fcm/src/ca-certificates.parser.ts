import { X509Certificate } from 'node:crypto';

// A PEM block: its label, then anything up to the END line with the same label.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const BEGIN = /-----BEGIN /g;

/** One certificate of the bundle, described for logs: public facts only. */
export interface TrustedCertificate {
  readonly pem: string;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: Date;
}

/**
 * The certificates of a PEM bundle (text between blocks, like the `# Issuer:` lines of CA bundles, is allowed), or
 * why it is not one. The reason never quotes the bundle: someone may have pasted a private key into it.
 * @example parseCaCertificates(readFileSync('/etc/pki/kemkes-proxy-ca.pem', 'utf8')) // [{ subject: 'CN=Kemkes Egress CA', ... }]
 */
export function parseCaCertificates(bundle: string): TrustedCertificate[] | { readonly problem: string } {
  // Pasted through JSON, a bundle often keeps its `\n` escapes; PEM needs real line breaks.
  const text = bundle.replaceAll('\\n', '\n');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if ((text.match(BEGIN)?.length ?? 0) !== blocks.length) return { problem: 'has a PEM block without its matching END line' };
  const other = blocks.find((block) => block[1] !== 'CERTIFICATE');
  if (other !== undefined) return { problem: `holds a ${other[1] ?? ''} block: only CERTIFICATE blocks belong here` };
  if (blocks.length === 0) return { problem: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  const certificates: TrustedCertificate[] = [];
  for (const [index, [block]] of blocks.entries()) {
    try {
      const certificate = new X509Certificate(block);
      certificates.push({ pem: certificate.toString(), subject: certificate.subject.replaceAll('\n', ', '), fingerprint256: certificate.fingerprint256, validTo: certificate.validToDate });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { problem: `certificate ${index + 1} of ${blocks.length} is not an X.509 certificate (${reason})` };
    }
  }
  return certificates;
}
