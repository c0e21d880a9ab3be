/**
 * SSH algorithms ssh-audit rates as weak: every name with a non-empty FAIL or WARN list in
 * ssh-audit's database, src/ssh_audit/ssh2_kexdb.py (jtesta/ssh-audit, MIT, commit
 * 04351e8076b8022bcc6cdd37ddad6ec02842c3a5). `fail` mirrors its FAIL list, otherwise WARN.
 * Names ending in `-*` are ssh-audit's GSS wildcards (a prefix followed by base64 data).
 */
export type WeakKind = 'kex' | 'hostkey' | 'cipher' | 'mac';
export type WeakLevel = 'fail' | 'warn';

const F: WeakLevel = 'fail';
const W: WeakLevel = 'warn';

const KEX: Record<string, WeakLevel> = {
  'diffie-hellman-group14-sha1': F, 'diffie-hellman-group14-sha256': W, 'diffie-hellman-group14-sha256@ssh.com': W,
  'diffie-hellman-group1-sha1': F, 'diffie-hellman-group1-sha256': F, 'diffie-hellman-group-exchange-sha1': F,
  'ecdh-sha2-1.2.840.10045.3.1.1': F, 'ecdh-sha2-1.2.840.10045.3.1.7': F, 'ecdh-sha2-1.3.132.0.1': F,
  'ecdh-sha2-1.3.132.0.26': F, 'ecdh-sha2-1.3.132.0.27': F, 'ecdh-sha2-1.3.132.0.33': F, 'ecdh-sha2-1.3.132.0.34': F,
  'ecdh-sha2-1.3.132.0.35': F, 'ecdh-sha2-1.3.132.0.37': F,
  'ecdh-sha2-4MHB+NBt3AlaSRQ7MnB4cg==': F, 'ecdh-sha2-5pPrSUQtIaTjUSt5VZNBjg==': F, 'ecdh-sha2-9UzNcgwTlEnSCECZa7V1mw==': F,
  'ecdh-sha2-D3FefCjYoJ/kfXgAyLddYA==': F, 'ecdh-sha2-h/SsxnLCtRBh7I9ATyeB3A==': F, 'ecdh-sha2-qCbG5Cn/jjsZ7nBeR7EnOA==': F,
  'ecdh-sha2-qcFQaMAMGhTziMT0z+Tuzw==': F, 'ecdh-sha2-VqBg4QRPjxx1EXZdV0GdWQ==': F, 'ecdh-sha2-zD/b3hu/71952ArpUG4OjQ==': F,
  'ecdh-sha2-nistk163': F, 'ecdh-sha2-nistp192': F, 'ecdh-sha2-nistp224': F, 'ecdh-sha2-nistp256': F,
  'ecdh-sha2-nistp384': F, 'ecdh-sha2-nistp521': F, 'ecmqv-sha2': F,
  'gss-13.3.132.0.10-sha256-*': F, 'gss-gex-sha1-*': F, 'gss-group14-sha1-*': F, 'gss-group14-sha256-*': W,
  'gss-group1-sha1-*': F, 'gss-nistp256-sha256-*': F, 'gss-nistp384-sha256-*': F, 'gss-nistp521-sha512-*': F,
  'm383-sha384@libassh.org': F, 'm511-sha512@libassh.org': F, 'rsa1024-sha1': F, 'rsa2048-sha256': W,
  'sntrup4591761x25519-sha512@tinyssh.org': W,
};

const HOSTKEY: Record<string, WeakLevel> = {
  'dsa2048-sha224@libassh.org': F, 'dsa2048-sha256@libassh.org': F, 'dsa3072-sha256@libassh.org': F,
  'ecdsa-sha2-1.3.132.0.10-cert-v01@openssh.com': F, 'ecdsa-sha2-1.3.132.0.10': W,
  'ecdsa-sha2-nistp256': F, 'ecdsa-sha2-nistp256-cert-v01@openssh.com': F, 'ecdsa-sha2-nistp384': F,
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': F, 'ecdsa-sha2-nistp521': F, 'ecdsa-sha2-nistp521-cert-v01@openssh.com': F,
  'eddsa-e382-shake256@libassh.org': F, 'eddsa-e521-shake256@libassh.org': F, 'null': F,
  'pgp-sign-dss': F, 'pgp-sign-rsa': F,
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com': F, 'sk-ecdsa-sha2-nistp256@openssh.com': F,
  'spki-sign-dss': F, 'spki-sign-rsa': F, 'ssh-dss': F, 'ssh-dss-cert-v00@openssh.com': F, 'ssh-dss-cert-v01@openssh.com': F,
  'ssh-dss-sha224@ssh.com': F, 'ssh-dss-sha256@ssh.com': F, 'ssh-dss-sha384@ssh.com': F, 'ssh-dss-sha512@ssh.com': F,
  'ssh-gost2001': F, 'ssh-gost2012-256': F, 'ssh-gost2012-512': F, 'ssh-rsa1': F, 'ssh-rsa': F,
  'ssh-rsa-cert-v00@openssh.com': F, 'ssh-rsa-cert-v01@openssh.com': F,
  // ssh-audit puts WARN_EXPERIMENTAL in the FAIL slot for XMSS; kept as it rates them.
  'ssh-xmss-cert-v01@openssh.com': F, 'ssh-xmss@openssh.com': F,
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com': F,
  'x509v3-ecdsa-sha2-1.3.132.0.10': F, 'x509v3-ecdsa-sha2-nistp256': F, 'x509v3-ecdsa-sha2-nistp384': F,
  'x509v3-ecdsa-sha2-nistp521': F, 'x509v3-sign-dss': F, 'x509v3-sign-dss-sha1': F, 'x509v3-sign-dss-sha224@ssh.com': F,
  'x509v3-sign-dss-sha256@ssh.com': F, 'x509v3-sign-dss-sha384@ssh.com': F, 'x509v3-sign-dss-sha512@ssh.com': F,
  'x509v3-sign-rsa': F, 'x509v3-sign-rsa-sha1': F, 'x509v3-ssh-dss': F, 'x509v3-ssh-rsa': F,
};

const CIPHER: Record<string, WeakLevel> = {
  '3des-cbc': F, '3des-cfb': F, '3des-ctr': F, '3des-ecb': F, '3des': F, '3des-ofb': F,
  'aes128-cbc': W, 'aes192-cbc': W, 'aes256-cbc': W, 'arcfour128': F, 'arcfour': F, 'arcfour256': F,
  'blowfish-cbc': F, 'blowfish-cfb': F, 'blowfish-ctr': F, 'blowfish-ecb': F, 'blowfish': F, 'blowfish-ofb': F,
  'camellia128-cbc@openssh.org': W, 'camellia128-cbc': W, 'camellia192-cbc@openssh.org': W, 'camellia192-cbc': W,
  'camellia256-cbc@openssh.org': W, 'camellia256-cbc': W,
  'cast128-12-cbc@ssh.com': F, 'cast128-cbc': F, 'cast128-cfb': F, 'cast128-ctr': F, 'cast128-ecb': F, 'cast128-ofb': F,
  'crypticore128@ssh.com': F, 'des-cbc': F, 'des-cbc-ssh1': F, 'des-cbc@ssh.com': F, 'des': F,
  'idea-cbc': F, 'idea-cfb': F, 'idea-ctr': F, 'idea-ecb': F, 'idea-ofb': F, 'none': F,
  'rijndael128-cbc': F, 'rijndael192-cbc': F, 'rijndael256-cbc': F, 'rijndael-cbc@lysator.liu.se': F, 'rijndael-cbc@ssh.com': F,
  'seed-cbc@ssh.com': F, 'seed-ctr@ssh.com': F, 'serpent128-cbc': F, 'serpent128-ctr': F, 'serpent128-gcm@libassh.org': F,
  'serpent192-cbc': F, 'serpent192-ctr': F, 'serpent256-cbc': F, 'serpent256-ctr': F, 'serpent256-gcm@libassh.org': F,
  'twofish128-cbc': W, 'twofish192-cbc': W, 'twofish256-cbc': W, 'twofish-cbc': W, 'twofish-cfb': W, 'twofish-ecb': W,
  'twofish-ofb': W,
};

const MAC: Record<string, WeakLevel> = {
  'crypticore-mac@ssh.com': F, 'hmac-md5': F, 'hmac-md5-96': F, 'hmac-md5-96-etm@openssh.com': F, 'hmac-md5-etm@openssh.com': F,
  'hmac-ripemd160': F, 'hmac-ripemd160-96': F, 'hmac-ripemd160-etm@openssh.com': F, 'hmac-ripemd160@openssh.com': F,
  'hmac-ripemd': F, 'hmac-sha1': F, 'hmac-sha1-96': F, 'hmac-sha1-96-etm@openssh.com': F, 'hmac-sha1-96@openssh.com': F,
  'hmac-sha1-etm@openssh.com': F, 'hmac-sha2-224': W, 'hmac-sha224@ssh.com': W, 'hmac-sha2-256': W, 'hmac-sha2-256-96': W,
  'hmac-sha2-256-96-etm@openssh.com': W, 'hmac-sha2-384': W, 'hmac-sha2-512': W, 'hmac-sha2-512-96': W,
  'hmac-sha2-512-96-etm@openssh.com': W, 'hmac-sha256-2@ssh.com': W, 'hmac-sha256-96@ssh.com': W, 'hmac-sha256@ssh.com': W,
  'hmac-sha256': W, 'hmac-sha2-56': W, 'hmac-sha3-224': W, 'hmac-sha3-256': W, 'hmac-sha3-384': W, 'hmac-sha3-512': W,
  'hmac-sha384@ssh.com': W, 'hmac-sha512@ssh.com': W, 'hmac-sha512': W, 'hmac-whirlpool': W, 'none': F,
  'umac-128@openssh.com': W, 'umac-32@openssh.com': W, 'umac-64-etm@openssh.com': W, 'umac-64@openssh.com': W,
  'umac-96@openssh.com': W,
};

const TABLES: Record<WeakKind, Record<string, WeakLevel>> = { kex: KEX, hostkey: HOSTKEY, cipher: CIPHER, mac: MAC };

/** ssh-audit's rating of `name`, or null when it raises neither a failure nor a warning. */
export function weakLevel(kind: WeakKind, name: string): WeakLevel | null {
  const table = TABLES[kind];
  if (Object.prototype.hasOwnProperty.call(table, name)) return table[name] ?? null;
  if (kind === 'kex' && name.startsWith('gss-')) {
    for (const key of Object.keys(table)) {
      if (key.endsWith('-*') && name.startsWith(key.slice(0, -1))) return table[key] ?? null;
    }
  }
  return null;
}
