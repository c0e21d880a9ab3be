/** Signature algorithm OIDs as OpenSSL names them (`openssl x509 -text` "Signature Algorithm"). */
const SIG_ALGS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'], ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'], ['1.2.840.113549.1.1.10', 'rsassaPss'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'], ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'], ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'], ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'], ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'], ['1.3.101.112', 'ED25519'], ['1.3.101.113', 'ED448'],
  ['1.2.840.10040.4.3', 'dsaWithSHA1'], ['2.16.840.1.101.3.4.3.2', 'dsa_with_SHA256'],
  ['2.16.840.1.101.3.4.3.17', 'ML-DSA-44'], ['2.16.840.1.101.3.4.3.18', 'ML-DSA-65'],
  ['2.16.840.1.101.3.4.3.19', 'ML-DSA-87'], ['1.2.156.10197.1.501', 'SM2-with-SM3'],
]);

export function sigAlgOidName(oid: string): string {
  return SIG_ALGS.get(oid) ?? oid;
}

/** SubjectPublicKeyInfo algorithm OIDs, in the spelling of KeyObject.asymmetricKeyType where it has one. */
const KEY_ALGS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.1', 'rsa'], ['1.2.840.113549.1.1.10', 'rsa-pss'], ['1.2.840.10045.2.1', 'ec'],
  ['1.3.101.112', 'ed25519'], ['1.3.101.113', 'ed448'], ['1.2.840.10040.4.1', 'dsa'],
  ['2.16.840.1.101.3.4.3.17', 'ml-dsa-44'], ['2.16.840.1.101.3.4.3.18', 'ml-dsa-65'],
  ['2.16.840.1.101.3.4.3.19', 'ml-dsa-87'],
]);

export function keyAlgName(oid: string): string {
  return KEY_ALGS.get(oid) ?? oid;
}
