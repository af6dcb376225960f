// ---------------------------------------------------------------- https: http.js's client for https URLs (the host's TLS, the system's trust store)
// Certificates are checked by the host's HTTP stack against the system's trust store; an Agent's or a request's ca,
// cert, key and rejectUnauthorized are accepted and not applied (use tls.connect for a private CA).
const builtinHttps = builtinOnce(() => {
  const parts = builtinHttpParts();
  const mod = parts.makeModule({ protocol: 'https:', port: 443 });
  return _freeze(_Object.assign(mod, { Agent: class Agent extends parts.Agent {
    constructor(options) { super(_Object.assign({ protocol: 'https:', defaultPort: 443 }, options)); }
  } }));
});
