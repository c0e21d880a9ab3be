/**
 * CERTIFICATE blocks of a PEM text, as DER. Any other block (PRIVATE KEY, EC PRIVATE KEY, ...)
 * of a combined file is passed over without being decoded or kept.
 */
export function certificateDers(text: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== 'CERTIFICATE') continue;
    const der = Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (der.length > 0) out.push(der);
  }
  return out;
}
