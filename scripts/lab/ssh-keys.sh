#!/usr/bin/env bash
# Throwaway SSH keys and sshd configs for the lab (never committed): an ed25519 host key and
# client key for the strong case, an RSA host key for the weak case (ssh-rsa signatures).
set -euo pipefail
D=$1
mkdir -p "$D"
[ -f "$D/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$D/host_ed25519"
[ -f "$D/host_rsa" ] || ssh-keygen -q -t rsa -b 2048 -N '' -f "$D/host_rsa"
[ -f "$D/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C 'kube-apiserver@cp' -f "$D/client_ed25519"
cp "$D/client_ed25519.pub" "$D/authorized_keys"
common() {
  cat <<CFG
ListenAddress 10.20.1.5:22
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $D/authorized_keys
AllowTcpForwarding yes
CFG
}
{ common; echo "HostKey $D/host_ed25519"; } > "$D/sshd_strong.conf"
{ common; echo "HostKey $D/host_rsa"
  echo 'HostKeyAlgorithms ssh-rsa'
  echo 'KexAlgorithms diffie-hellman-group14-sha1'
  echo 'Ciphers aes128-cbc'
  echo 'MACs hmac-sha1'; } > "$D/sshd_weak.conf"
