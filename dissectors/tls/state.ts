import type { TlsAlert, TlsFacts } from '../../src/core/facts.js';

/** Zeek's ssl_history is capped at 100 letters (max_ssl_history_length). */
export const MAX_HISTORY = 100;
export const MAX_ALERTS = 16;
export const MAX_ENCRYPTED_SIZES = 16;

/**
 * Shared empty lists for facts that most connections never fill: each connection used to carry
 * four empty arrays of its own as long as it lived. Frozen, so a push that skipped `addAlert` or
 * `encryptedRecords` fails loudly instead of writing into every connection's facts.
 */
const NONE: never[] = Object.freeze([]) as never[];
const NO_RECORDS = Object.freeze([NONE, NONE]) as unknown as [number[], number[]];

export function newTlsFacts(): TlsFacts {
  return {
    clientHello: null, serverHello: null, helloRetry: false, version: null, cipher: null, sni: null,
    alpnOffered: NONE, alpn: null, serverChain: null, clientChain: null, chainVisible: false,
    certificateRequest: null, clientAuth: 'unknown', clientAuthSource: 'observed', clientAuthReason: null,
    serverKeyExchangeGroup: null, resumed: false, established: false, alerts: NONE, ja3: null, ja3String: null,
    ja3s: null, ja3sString: null, ja4: null, history: '', midStream: false, encryptedHandshakeRecords: NO_RECORDS,
  };
}

/** Records an alert (at most MAX_ALERTS). */
export function addAlert(f: TlsFacts, a: TlsAlert): void {
  if (f.alerts === NONE) f.alerts = [];
  if (f.alerts.length < MAX_ALERTS) f.alerts.push(a);
}

/** The TLS 1.3 encrypted handshake record sizes, [client, server], as lists of this connection's own. */
export function encryptedRecords(f: TlsFacts): [number[], number[]] {
  if (f.encryptedHandshakeRecords === NO_RECORDS) f.encryptedHandshakeRecords = [[], []];
  return f.encryptedHandshakeRecords;
}

/** Zeek ssl_history letters by handshake type; the client's are upper-case. */
const HANDSHAKE_LETTERS: ReadonlyMap<number, string> = new Map([
  [0, 'h'], [1, 'c'], [2, 's'], [3, 'v'], [4, 't'], [5, 'e'], [8, 'o'], [11, 'x'], [12, 'k'], [13, 'r'],
  [14, 'n'], [15, 'y'], [16, 'g'], [20, 'f'], [21, 'w'], [22, 'u'], [23, 'a'], [24, 'p'], [254, 'm'],
]);

export function handshakeLetter(type: number): string {
  return HANDSHAKE_LETTERS.get(type) ?? 'z';
}

/** Upper-case letters, made once (a toUpperCase per handshake message was a string each). */
const UPPER = new Map<string, string>();

export function addHistory(f: TlsFacts, dir: 0 | 1, letter: string): void {
  if (f.history.length >= MAX_HISTORY) return;
  if (dir === 1) {
    f.history += letter;
    return;
  }
  let up = UPPER.get(letter);
  if (up === undefined) UPPER.set(letter, (up = letter.toUpperCase()));
  f.history += up;
}
