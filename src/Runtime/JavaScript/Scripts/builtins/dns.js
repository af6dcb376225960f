// ---------------------------------------------------------------- dns: lookups resolved by the host and checked by the egress policy
// Io/DnsOperations.cs resolves and answers only the addresses the function's egress policy lets it connect to: a
// name that resolves to loopback, the metadata address or a private network fails with ENOTFOUND, saying why.
// resolve4/resolve6/resolve('A'|'AAAA') are answered from the same lookup; other record types are not available.
const builtinDns = builtinOnce(() => {
  const { nodeError, invalidArgType, validateString } = builtinInternals();
  const ERRNO = { ENOTFOUND: -3008, ETIMEOUT: -3001, EAI_FAIL: -3001, ENOTIMP: -3005 };
  const dnsError = (info) => {
    const e = new _Error(info.message);
    e.errno = ERRNO[info.code] === undefined ? -3001 : ERRNO[info.code];
    e.code = info.code;
    e.syscall = info.syscall || 'getaddrinfo';
    e.hostname = info.hostname;
    return e;
  };
  // The host's answer, [{address, family}], for one name and family (0 = both).
  const hostLookup = (hostname, family) => new _Promise((resolve, reject) => {
    const id = nextHostOperation++;
    hostOperations.set(id, { raw: (ok, _status, _headers, body) => {
      const info = _JSON.parse(body);
      if (ok) resolve(info); else reject(dnsError(info));
    } });
    let problem;
    try { problem = host.dnsLookup(id, hostname, family); } catch (e) { problem = _String(e && e.message ? e.message : e); }
    if (problem !== null && problem !== undefined) {
      hostOperations.delete(id);
      reject(dnsError({ code: 'EAI_FAIL', message: `getaddrinfo EAI_FAIL ${hostname}: ${problem}`, hostname }));
    }
  });
  const familyOf = (value) => {
    if (value === undefined || value === null || value === 0) return 0;
    if (value === 4 || value === 'IPv4') return 4;
    if (value === 6 || value === 'IPv6') return 6;
    throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'family' must be one of: 0, 4, 6. Received ${_JSON.stringify(value)}`);
  };
  const lookupOptions = (options) => {
    if (typeof options === 'number' || typeof options === 'string') return { family: familyOf(options), all: false, order: 'verbatim' };
    const o = options || {};
    return { family: familyOf(o.family), all: !!o.all, order: o.verbatim === false || o.order === 'ipv4first' ? 'ipv4first' : o.order === 'ipv6first' ? 'ipv6first' : 'verbatim' };
  };
  const ordered = (addresses, order) => {
    if (order === 'verbatim') return addresses;
    const first = order === 'ipv4first' ? 4 : 6;
    return addresses.filter((a) => a.family === first).concat(addresses.filter((a) => a.family !== first));
  };
  const lookupAsync = async (hostname, options) => {
    validateString(hostname, 'hostname');
    const o = lookupOptions(options);
    const addresses = ordered(await hostLookup(hostname, o.family), o.order);
    return o.all ? addresses : addresses[0];
  };
  const later = (fn) => nextTick(fn);
  function lookup(hostname, options, callback) {
    if (typeof options === 'function') { callback = options; options = {}; }
    if (typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    const all = !!(options && typeof options === 'object' && options.all);
    lookupAsync(hostname, options).then(
      (result) => later(() => (all ? callback(null, result) : callback(null, result.address, result.family))),
      (e) => later(() => callback(e)));
    return {};
  }
  const notImplemented = (rrtype, hostname) => {
    const e = dnsError({ code: 'ENOTIMP', message: `query${rrtype} ENOTIMP ${hostname}: Granary resolves A and AAAA records only; deploy with "isolation": "process" for other record types`, hostname, syscall: `query${rrtype}` });
    return e;
  };
  const resolveAsync = async (hostname, rrtype = 'A') => {
    validateString(hostname, 'hostname');
    if (rrtype !== 'A' && rrtype !== 'AAAA') throw notImplemented(_String(rrtype).charAt(0) + _String(rrtype).slice(1).toLowerCase(), hostname);
    const addresses = await hostLookup(hostname, rrtype === 'A' ? 4 : 6);
    return addresses.map((a) => a.address);
  };
  const withCallback = (fn) => (...args) => {
    const callback = args.pop();
    if (typeof callback !== 'function') throw invalidArgType('callback', 'Function', callback);
    fn(...args).then((result) => later(() => callback(null, result)), (e) => later(() => callback(e)));
  };
  const promises = {
    lookup: lookupAsync,
    resolve: resolveAsync,
    resolve4: (hostname) => resolveAsync(hostname, 'A'),
    resolve6: (hostname) => resolveAsync(hostname, 'AAAA'),
    getServers: () => [],
    setServers: () => {},
    setDefaultResultOrder: () => {},
  };
  for (const type of ['Any', 'Caa', 'Cname', 'Mx', 'Naptr', 'Ns', 'Ptr', 'Soa', 'Srv', 'Txt']) {
    promises[`resolve${type}`] = async (hostname) => { throw notImplemented(type, hostname); };
  }
  promises.reverse = async (ip) => { throw notImplemented('Ptr', ip); };
  class Resolver {
    cancel() {}
    getServers() { return []; }
    setServers() {}
    setLocalAddress() {}
  }
  const dns = {
    lookup,
    promises: null,
    Resolver,
    getServers: () => [],
    setServers: () => {},
    setDefaultResultOrder: () => {},
    getDefaultResultOrder: () => 'verbatim',
    ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256,
  };
  for (const [name, fn] of _Object.entries(promises)) {
    if (name === 'lookup' || typeof fn !== 'function' || !name.startsWith('resolve') && name !== 'reverse') continue;
    dns[name] = withCallback(fn);
    Resolver.prototype[name] = function (...args) { return dns[name](...args); };
  }
  for (const code of ['NODATA', 'FORMERR', 'SERVFAIL', 'NOTFOUND', 'NOTIMP', 'REFUSED', 'BADQUERY', 'BADNAME', 'BADFAMILY', 'BADRESP', 'CONNREFUSED', 'TIMEOUT', 'EOF', 'FILE',
    'NOMEM', 'DESTRUCTION', 'BADSTR', 'BADFLAGS', 'NONAME', 'BADHINTS', 'NOTINITIALIZED', 'LOADIPHLPAPI', 'ADDRGETNETWORKPARAMS', 'CANCELLED']) dns[code] = `E${code}`;
  class PromisesResolver {
    cancel() {}
    getServers() { return []; }
    setServers() {}
  }
  for (const [name, fn] of _Object.entries(promises)) if (name.startsWith('resolve') || name === 'reverse') PromisesResolver.prototype[name] = fn;
  promises.Resolver = PromisesResolver;
  dns.promises = _freeze(promises);
  return _freeze(dns);
});
