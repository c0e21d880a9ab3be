/**
 * Ports that say "this side is the server" when neither a SYN nor the content has decided it:
 * the Kubernetes control-plane ports of SPEC.md plus common services. Indexed by port number.
 */
const SERVER_PORTS = [
  22, 53, 80, 443, 2379, 2380, 6443, 8080, 8091, 8131, 8132, 8443, 9090, 9093, 9100, 10249, 10250, 10255,
  10256, 10257, 10259,
];

export const serverPort = new Uint8Array(65536);
for (const p of SERVER_PORTS) serverPort[p] = 1;

/**
 * Which of two ports is the server's by hint: a listed port first, then a port below 1024,
 * then the lower port. Returns 0 for the first port, 1 for the second.
 */
export function serverByPort(p0: number, p1: number): 0 | 1 {
  const k0 = serverPort[p0]!;
  const k1 = serverPort[p1]!;
  if (k0 !== k1) return k0 > k1 ? 0 : 1;
  const w0 = p0 < 1024 ? 1 : 0;
  const w1 = p1 < 1024 ? 1 : 0;
  if (w0 !== w1) return w0 > w1 ? 0 : 1;
  return p0 <= p1 ? 0 : 1;
}
