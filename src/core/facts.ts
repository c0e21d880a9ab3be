/**
 * What the dissectors report: plain records of what was seen on the wire, with raw protocol
 * codes (names come from each dissector's names.ts). No Kubernetes terms and no secrets.
 * These shapes are the contract between dissectors (producers) and classify / rules / outputs.
 */

/** How a fact became known; `probe`: by comms-watch's own connection to the server (`--probe`), not from the traffic. */
export type FactSource = 'observed' | 'inferred' | 'decrypted' | 'probe';

export interface CertFacts {
  /** RFC 4514, most specific first, no spaces after commas (`CN=a,O=b`). */
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string; // ISO 8601 UTC
  notAfter: string;
  notBeforeMs: number;
  notAfterMs: number;
  sanDns: string[];
  sanIp: string[];
  /** Everything in the SAN extension as `DNS:x` / `IP:x` / `URI:x` / `email:x`. */
  san: string[];
  /** Lower-case hex SHA-256 of the DER. */
  sha256: string;
  /** `rsa-2048`, `ec-prime256v1`, `ed25519`, ... */
  key: string;
  keyType: string;
  keyBits: number | null;
  /** Signature algorithm name as OpenSSL spells it (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`). */
  sigAlg: string;
  /** basicConstraints CA. */
  ca: boolean;
  /** Subject equals issuer and the certificate verifies with its own key. */
  selfSigned: boolean;
  /** Extended key usage OIDs. */
  eku: string[];
  /** The certificate itself, for chain verification. Never written to any output. */
  der: Buffer;
  /** Only the head arrived (its handshake message was over the size cap): `der` is that head, no signature was checked. */
  partial?: true;
}

export interface TlsAlert {
  /** 1 warning, 2 fatal. */
  level: number;
  /** RFC 8446 AlertDescription code. */
  description: number;
  dir: 0 | 1;
  /** Sent before the handshake completed. */
  duringHandshake: boolean;
  /** Seen in an encrypted record (level and description then inferred from size only when `inferred`). */
  source: FactSource;
}

export interface ClientHelloFacts {
  legacyVersion: number;
  /** Record-layer version of the record that carried it. */
  recordVersion: number;
  sessionIdLength: number;
  ciphers: number[];
  compression: number[];
  /** Extension types in wire order, GREASE included (fingerprints drop it themselves). */
  extensions: number[];
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  signatureAlgorithms: number[];
  groups: number[];
  ecPointFormats: number[];
  keyShareGroups: number[];
  psk: boolean;
  earlyData: boolean;
  sessionTicket: boolean;
  /** An SSLv2-compatible ClientHello. */
  sslv2: boolean;
  /** 32-byte client random as hex (public; keys a key log). */
  random: string;
}

export interface ServerHelloFacts {
  legacyVersion: number;
  /** Negotiated version: supported_versions if present, else legacy_version. */
  version: number;
  cipher: number;
  compression: number;
  extensions: number[];
  alpn: string | null;
  sessionIdLength: number;
  /** Session id equal to the client's non-empty one (TLS <= 1.2 resumption signal). */
  sessionIdEchoed: boolean;
  helloRetryRequest: boolean;
  selectedGroup: number | null;
  random: string;
}

export interface CertificateRequestFacts {
  certificateTypes: number[];
  signatureAlgorithms: number[];
  /** Distinguished names of acceptable CAs, RFC 4514. */
  certificateAuthorities: string[];
  source: FactSource;
}

export type ClientAuth = 'presented' | 'requested-not-presented' | 'not-requested' | 'unknown';

export interface TlsFacts {
  clientHello: ClientHelloFacts | null;
  serverHello: ServerHelloFacts | null;
  /** Present when a HelloRetryRequest was sent (its ServerHello is then the second one). */
  helloRetry: boolean;
  /** Negotiated protocol version code (0x0303 = TLS 1.2), null until known. */
  version: number | null;
  cipher: number | null;
  sni: string | null;
  alpnOffered: string[];
  /** The server's ALPN choice (in TLS 1.3 only visible decrypted). */
  alpn: string | null;
  serverChain: CertFacts[] | null;
  clientChain: CertFacts[] | null;
  /** Certificates are visible (TLS <= 1.2 in the clear, or decrypted TLS 1.3). */
  chainVisible: boolean;
  certificateRequest: CertificateRequestFacts | null;
  clientAuth: ClientAuth;
  clientAuthSource: FactSource;
  /** Why an inferred client_auth was decided (record sizes seen). */
  clientAuthReason: string | null;
  /** ServerKeyExchange named curve, when visible. */
  serverKeyExchangeGroup: number | null;
  resumed: boolean;
  /** Both sides switched to encrypted records / sent Finished. */
  established: boolean;
  alerts: TlsAlert[];
  ja3: string | null;
  ja3String: string | null;
  ja3s: string | null;
  ja3sString: string | null;
  ja4: string | null;
  /** Zeek-style one letter per handshake message, client upper-case; capped. */
  history: string;
  /** The connection was picked up after its handshake. */
  midStream: boolean;
  /** Sizes of encrypted handshake-phase records per direction (TLS 1.3 inference input), capped. */
  encryptedHandshakeRecords: [number[], number[]];
}

export interface SshKexInit {
  kex: string[];
  hostKey: string[];
  cipherC2s: string[];
  cipherS2c: string[];
  macC2s: string[];
  macS2c: string[];
  compressionC2s: string[];
  compressionS2c: string[];
  firstKexFollows: boolean;
}

export interface SshFacts {
  clientBanner: string | null;
  serverBanner: string | null;
  /** `2.0`, `1.99`, `1.5` ... from the banners. */
  protoVersion: string | null;
  clientKexInit: SshKexInit | null;
  serverKexInit: SshKexInit | null;
  /** Negotiated by RFC 4253 section 7.1; null until both KEXINITs are seen or when nothing matches. */
  kex: string | null;
  hostKey: string | null;
  cipherC2s: string | null;
  cipherS2c: string | null;
  macC2s: string | null;
  macS2c: string | null;
  compressionC2s: string | null;
  compressionS2c: string | null;
  hassh: string | null;
  hasshString: string | null;
  hasshServer: string | null;
  hasshServerString: string | null;
  /** Negotiated algorithms that ssh-audit lists as weak (fail or warn), as `kind:name`. */
  weak: string[];
  /** The server offers `kex-strict-s-v00@openssh.com` (Terrapin countermeasure). */
  strictKex: boolean;
  newKeys: [boolean, boolean];
}

export type CredentialKind = 'bearer' | 'basic' | 'cookie' | 'query';

/** Non-secret claims of a JWT seen as a credential; never the token or its signature. */
export interface JwtClaims {
  iss: string | null;
  sub: string | null;
  aud: string[];
  exp: number | null;
  /** Bound (has exp and a kubernetes.io claim with pod/secret binding) vs legacy (no exp). */
  bound: boolean;
}

export interface CredentialFacts {
  kind: CredentialKind;
  /** Length of the secret in bytes. */
  len: number;
  /** First 12 hex digits of SHA-256 of the secret. */
  sha256Prefix: string;
  /** Header or parameter name that carried it (`authorization`, `cookie:token`, `query:access_token`). */
  carrier: string;
  jwt: JwtClaims | null;
}

export interface HttpExchange {
  method: string | null;
  host: string | null;
  /** Request target with secret query values replaced by `<redacted>`. */
  path: string | null;
  status: number | null;
  /** `HTTP/1.1`, `HTTP/1.0`, `HTTP/2`. */
  version: string | null;
  auth: CredentialFacts | null;
  userAgent: string | null;
  contentType: string | null;
  /** HTTP/2 stream id. */
  streamId?: number;
  /** gRPC status from trailers. */
  grpcStatus?: number | null;
  /** Upgrade offered by the request (`h2c`, `websocket`, `SPDY/3.1`). */
  upgrade?: string | null;
}

export interface HttpFacts {
  /** First 32 exchanges of the connection. */
  exchanges: HttpExchange[];
  /** More exchanges were seen than kept. */
  exchangesDropped: number;
  /** CONNECT request and its answer. */
  connect: { authority: string; status: number | null } | null;
  /** Protocol switched to after a 101 (`h2c`, `websocket`, `SPDY/3.1`). */
  upgradedTo: string | null;
}

export interface Http2Facts {
  /** The client connection preface was seen. */
  preface: boolean;
  /** Picked up mid-stream (no preface): HPACK state unknown. */
  midStream: boolean;
  exchanges: HttpExchange[];
  exchangesDropped: number;
  /** Some request had content-type application/grpc*. */
  grpc: boolean;
  goaway: { lastStreamId: number; errorCode: number } | null;
  rstStreams: number;
  settings: [Record<string, number> | null, Record<string, number> | null];
}

export type Proto = 'tls' | 'ssh' | 'http' | 'http2' | 'grpc' | 'connect' | 'unknown';
