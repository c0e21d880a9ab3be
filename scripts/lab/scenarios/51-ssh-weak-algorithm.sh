# Control plane -> node1 :22 where sshd only offers diffie-hellman-group14-sha1, ssh-rsa (SHA-1
# signatures), aes128-cbc and hmac-sha1 — all on ssh-audit's fail/warn lists.
capture ssh-weak-algorithm
serve node1 22 /usr/sbin/sshd -D -e -f "$LAB/ssh/sshd_weak.conf"
run cp ssh -F /dev/null -i "$LAB/ssh/client_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o BatchMode=yes -o KexAlgorithms=+diffie-hellman-group14-sha1 -o HostKeyAlgorithms=+ssh-rsa \
  -o Ciphers=+aes128-cbc -o MACs=+hmac-sha1 root@10.20.1.5 'sleep 0.3'
finish
