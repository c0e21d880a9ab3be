# The deprecated SSH tunneler: control plane -> node1 :22, OpenSSH defaults (sntrup761x25519 /
# curve25519 kex, ed25519 host key, chacha20-poly1305, strict kex), opening a forward to the kubelet.
capture ssh-tunnel-strong
serve node1 22 /usr/sbin/sshd -D -e -f "$LAB/ssh/sshd_strong.conf"
run cp ssh -F /dev/null -i "$LAB/ssh/client_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o BatchMode=yes -o ExitOnForwardFailure=yes -L 127.0.0.1:10250:127.0.0.1:10250 root@10.20.1.5 'sleep 0.3'
finish
