import type { DissectorContext, DissectorFactory } from '../../src/core/dissector.js';
import { keyLogDecryptor } from './decrypt-hook.js';
import { TlsSession, type RecordDecryptor } from './session.js';

export type { RecordDecryptor } from './session.js';
export { TlsSession } from './session.js';
export { alertName, cipherName, groupName, sigAlgName, versionName } from './names.js';

/**
 * A TLS factory; `decryptor` (from dissectors/tls/crypto) is asked per connection for a record
 * decryptor, e.g. when the context holds key-log secrets.
 */
export function createTlsFactory(decryptor?: (ctx: DissectorContext) => RecordDecryptor | null): DissectorFactory {
  return {
    proto: 'tls',
    create: (ctx) => new TlsSession(ctx, decryptor?.(ctx) ?? null),
  };
}

/** Decrypts with key logs whenever the context carries some (`--keylog`, pcapng secrets). */
export const tlsFactory: DissectorFactory = createTlsFactory(keyLogDecryptor);
