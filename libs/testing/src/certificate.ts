import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * A throwaway self-signed certificate (EC P-256, one day) for the TLS peers of tests, made by the openssl CLI.
 * `altNames` are subjectAltName entries such as `IP:127.0.0.1` or `DNS:fcm.googleapis.com`.
 * @example selfSignedCertificate('kabar-test-smtp') // for 127.0.0.1 and localhost
 */
export function selfSignedCertificate(commonName = 'kabar-test', altNames: readonly string[] = ['IP:127.0.0.1', 'DNS:localhost']): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'kabar-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${altNames.join(',')}`,
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
