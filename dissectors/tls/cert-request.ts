import type { CertificateRequestFacts, FactSource } from '../../src/core/facts.js';
import { Cursor } from './cursor.js';
import { EXT_CERTIFICATE_AUTHORITIES, EXT_SIGNATURE_ALGORITHMS, parseU16List, readExtensions } from './extensions.js';
import { derNameToRfc4514 } from './rfc4514.js';

const MAX_CAS = 64;

function readAuthorities(list: Cursor, out: string[], anomaly: (detail: string) => void): void {
  while (list.remaining > 0) {
    const dn = list.vector(2, 'DistinguishedName');
    if (out.length >= MAX_CAS) continue;
    try {
      out.push(derNameToRfc4514(dn.buf.subarray(dn.off, dn.end)));
    } catch (e) {
      anomaly((e as Error).message);
    }
  }
}

/**
 * CertificateRequest: RFC 5246 7.4.4 (TLS 1.2 adds supported_signature_algorithms; 1.0/1.1 have none),
 * or RFC 8446 4.3.2 (context plus extensions) when seen decrypted.
 */
export function parseCertificateRequest(
  body: Buffer,
  version: number,
  tls13: boolean,
  source: FactSource,
  anomaly: (detail: string) => void,
): CertificateRequestFacts {
  const c = new Cursor(body, 0, body.length, 'tls.bad_certificate_request');
  const f: CertificateRequestFacts = { certificateTypes: [], signatureAlgorithms: [], certificateAuthorities: [], source };
  if (tls13) {
    c.vector(1, 'certificate_request_context');
    for (const ext of readExtensions(c)) {
      if (ext.type === EXT_SIGNATURE_ALGORITHMS) f.signatureAlgorithms = parseU16List(ext.data, 2, 'signature_algorithms');
      if (ext.type === EXT_CERTIFICATE_AUTHORITIES) {
        readAuthorities(ext.data.vector(2, 'authorities'), f.certificateAuthorities, anomaly);
      }
    }
    return f;
  }
  f.certificateTypes = c.u8List('certificate_types');
  if (version >= 0x0303) f.signatureAlgorithms = c.u16List(2, 'supported_signature_algorithms');
  readAuthorities(c.vector(2, 'certificate_authorities'), f.certificateAuthorities, anomaly);
  return f;
}
