#!/usr/bin/env bash
# openssl CLI helpers shared by pki.sh and pki-real.sh; run inside the key directory.

key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1.key" 2>/dev/null; }

# selfca NAME SUBJ DAYS [SERIAL]: a self-signed CA certificate.
selfca() {
  key "$1"
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyCertSign\nsubjectKeyIdentifier=hash\n' > "$1.ext"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -signkey "$1.key" -days "$3" -set_serial "${4:-$RANDOM$RANDOM}" \
    -extfile "$1.ext" -sha256 -out "$1.crt" 2>/dev/null
}

# leaf NAME SUBJ CA DAYS EKU SAN [BITS] [SERIAL]: a certificate issued by CA.
leaf() {
  key "$1" "${7:-2048}"
  {
    echo 'basicConstraints=critical,CA:FALSE'
    echo 'keyUsage=critical,digitalSignature,keyEncipherment'
    echo "extendedKeyUsage=$5"
    echo 'authorityKeyIdentifier=keyid'
    [ -n "$6" ] && echo "subjectAltName=$6"
  } > "$1.ext"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -days "$4" -set_serial "${8:-$RANDOM$RANDOM}" \
    -extfile "$1.ext" -sha256 -out "$1.crt" 2>/dev/null
}
