import tls = require('node:tls');

/**
 * A CA file for one XMPP session, without touching the rest of the process.
 *
 * @xmpp/client upgrades to TLS (STARTTLS) with `tls.connect({ socket, host })`
 * and offers no way to pass a CA. NODE_EXTRA_CA_CERTS would trust the CA for the
 * whole Node-RED process, and only if set before it starts. Instead, sockets of
 * sessions that have a CA are registered here, and only tls.connect calls
 * upgrading one of those sockets get `ca` = system roots + that CA. Certificate
 * checks stay on; every other caller of tls.connect is left exactly as it was.
 */
const extraCaBySocket = new WeakMap<object, string>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = tls.connect;
  const connect = function (this: unknown, ...args: unknown[]) {
    const options = args[0] as tls.ConnectionOptions | undefined;
    const socket = options && typeof options === 'object' ? options.socket : undefined;
    const ca = socket ? extraCaBySocket.get(socket) : undefined;
    if (ca !== undefined && options!.ca === undefined)
      args[0] = { ...options, ca: [...tls.rootCertificates, ca] };
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  tls.connect = connect as typeof tls.connect;
}

/** Trust `caPem` (besides the system roots) when this plain socket is upgraded to TLS. */
export function trustCaForSocket(socket: object, caPem: string): void {
  install();
  extraCaBySocket.set(socket, caPem);
}
