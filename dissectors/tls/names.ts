import { CIPHER_NAMES } from './cipher-table.js';

/** Names for TLS protocol codes. Unknown codes come back as `0xXXXX` so nothing is ever lost. */

function hex4(code: number): string {
  return '0x' + (code & 0xffff).toString(16).padStart(4, '0');
}

/** RFC 8701 GREASE values: 0x?A?A with both bytes equal. */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && (code >> 8) === (code & 0xff);
}

const VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0002, 'SSL 2.0'],
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
  [0xfeff, 'DTLS 1.0'],
  [0xfefd, 'DTLS 1.2'],
  [0xfefc, 'DTLS 1.3'],
]);

export function versionName(code: number): string {
  const known = VERSIONS.get(code);
  if (known !== undefined) return known;
  if ((code & 0xff00) === 0x7f00) return `TLS 1.3 (draft ${code & 0xff})`;
  return hex4(code);
}

export function cipherName(code: number): string {
  return CIPHER_NAMES.get(code) ?? hex4(code);
}

/** RFC 8446 section 6 spelling (and RFC 5246 for the codes TLS 1.3 reserved). */
const ALERTS: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'],
  [1, 'end_of_early_data'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
  [121, 'ech_required'],
]);

/** Alerts seen only as encrypted records carry description -1 (unknown). */
export function alertName(code: number): string {
  if (code < 0) return 'encrypted';
  return ALERTS.get(code) ?? `alert_${code}`;
}

/** IANA TLS Supported Groups registry. */
const GROUPS: ReadonlyMap<number, string> = new Map([
  [1, 'sect163k1'], [2, 'sect163r1'], [3, 'sect163r2'], [4, 'sect193r1'], [5, 'sect193r2'],
  [6, 'sect233k1'], [7, 'sect233r1'], [8, 'sect239k1'], [9, 'sect283k1'], [10, 'sect283r1'],
  [11, 'sect409k1'], [12, 'sect409r1'], [13, 'sect571k1'], [14, 'sect571r1'], [15, 'secp160k1'],
  [16, 'secp160r1'], [17, 'secp160r2'], [18, 'secp192k1'], [19, 'secp192r1'], [20, 'secp224k1'],
  [21, 'secp224r1'], [22, 'secp256k1'], [23, 'secp256r1'], [24, 'secp384r1'], [25, 'secp521r1'],
  [26, 'brainpoolP256r1'], [27, 'brainpoolP384r1'], [28, 'brainpoolP512r1'], [29, 'x25519'], [30, 'x448'],
  [31, 'brainpoolP256r1tls13'], [32, 'brainpoolP384r1tls13'], [33, 'brainpoolP512r1tls13'],
  [34, 'GC256A'], [35, 'GC256B'], [36, 'GC256C'], [37, 'GC256D'], [38, 'GC512A'], [39, 'GC512B'], [40, 'GC512C'],
  [41, 'curveSM2'],
  [0x0100, 'ffdhe2048'], [0x0101, 'ffdhe3072'], [0x0102, 'ffdhe4096'], [0x0103, 'ffdhe6144'], [0x0104, 'ffdhe8192'],
  [0x0200, 'MLKEM512'], [0x0201, 'MLKEM768'], [0x0202, 'MLKEM1024'],
  [0x11eb, 'SecP256r1MLKEM768'], [0x11ec, 'X25519MLKEM768'], [0x11ed, 'SecP384r1MLKEM1024'],
  [0x6399, 'X25519Kyber768Draft00'], [0x639a, 'SecP256r1Kyber768Draft00'],
  [0xff01, 'arbitrary_explicit_prime_curves'], [0xff02, 'arbitrary_explicit_char2_curves'],
]);

export function groupName(code: number): string {
  return GROUPS.get(code) ?? hex4(code);
}

/** IANA TLS SignatureScheme registry plus the TLS 1.2 hash/signature pairs it does not list. */
const SIG_ALGS: ReadonlyMap<number, string> = new Map([
  [0x0201, 'rsa_pkcs1_sha1'], [0x0203, 'ecdsa_sha1'],
  [0x0401, 'rsa_pkcs1_sha256'], [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0420, 'rsa_pkcs1_sha256_legacy'],
  [0x0501, 'rsa_pkcs1_sha384'], [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0520, 'rsa_pkcs1_sha384_legacy'],
  [0x0601, 'rsa_pkcs1_sha512'], [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0620, 'rsa_pkcs1_sha512_legacy'],
  [0x0704, 'eccsi_sha256'], [0x0705, 'iso_ibs1'], [0x0706, 'iso_ibs2'], [0x0707, 'iso_chinese_ibs'],
  [0x0708, 'sm2sig_sm3'],
  [0x0709, 'gostr34102012_256a'], [0x070a, 'gostr34102012_256b'], [0x070b, 'gostr34102012_256c'],
  [0x070c, 'gostr34102012_256d'], [0x070d, 'gostr34102012_512a'], [0x070e, 'gostr34102012_512b'],
  [0x070f, 'gostr34102012_512c'],
  [0x0804, 'rsa_pss_rsae_sha256'], [0x0805, 'rsa_pss_rsae_sha384'], [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'], [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'], [0x080a, 'rsa_pss_pss_sha384'], [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'], [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
  [0x0904, 'mldsa44'], [0x0905, 'mldsa65'], [0x0906, 'mldsa87'],
]);

const LEGACY_HASH = ['none', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const LEGACY_SIG = ['anonymous', 'rsa', 'dsa', 'ecdsa'];

export function sigAlgName(code: number): string {
  const known = SIG_ALGS.get(code);
  if (known !== undefined) return known;
  const hash = code >> 8;
  const sig = code & 0xff;
  if (hash >= 1 && hash < LEGACY_HASH.length && sig >= 1 && sig < LEGACY_SIG.length) {
    return `${LEGACY_SIG[sig]}_${LEGACY_HASH[hash]}`;
  }
  return hex4(code);
}

const HANDSHAKE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'hello_request'], [1, 'client_hello'], [2, 'server_hello'], [4, 'new_session_ticket'],
  [5, 'end_of_early_data'], [8, 'encrypted_extensions'], [11, 'certificate'], [12, 'server_key_exchange'],
  [13, 'certificate_request'], [14, 'server_hello_done'], [15, 'certificate_verify'],
  [16, 'client_key_exchange'], [20, 'finished'], [22, 'certificate_status'], [24, 'key_update'],
  [25, 'compressed_certificate'], [254, 'message_hash'],
]);

export function handshakeTypeName(code: number): string {
  return HANDSHAKE_TYPES.get(code) ?? `handshake_${code}`;
}

/** RFC 5246 ClientCertificateType (CertificateRequest certificate_types). */
const CERT_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'rsa_sign'], [2, 'dss_sign'], [3, 'rsa_fixed_dh'], [4, 'dss_fixed_dh'], [5, 'rsa_ephemeral_dh'],
  [6, 'dss_ephemeral_dh'], [20, 'fortezza_dms'], [64, 'ecdsa_sign'], [65, 'rsa_fixed_ecdh'], [66, 'ecdsa_fixed_ecdh'],
  [67, 'gost_sign256'], [68, 'gost_sign512'],
]);

export function certTypeName(code: number): string {
  return CERT_TYPES.get(code) ?? `cert_type_${code}`;
}
