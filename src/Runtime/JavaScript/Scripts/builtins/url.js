// ---------------------------------------------------------------- url: WHATWG URL plus the legacy API, after Node's lib/url.js
const builtinUrl = builtinOnce(() => {
  const { nodeError, invalidArgType, validateString, validateObject } = builtinInternals();
  const querystring = builtinQuerystring();
  const protocolPattern = /^[a-z0-9.+-]+:/i;
  const portPattern = /:[0-9]*$/;
  const hostPattern = /^\/\/[^@/]+@[^@/]+/;
  const simplePathPattern = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
  const hostnameMaxLen = 255;
  const unsafeProtocol = new Set(['javascript', 'javascript:']);
  const hostlessProtocol = new Set(['javascript', 'javascript:']);
  const slashedProtocol = new Set(['http', 'http:', 'https', 'https:', 'ftp', 'ftp:', 'gopher', 'gopher:', 'file', 'file:', 'ws', 'ws:', 'wss', 'wss:']);
  const forbiddenHostChars = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
  const forbiddenHostCharsIpv6 = /[\0\t\n\r #%/<>?@\\^|]/;
  const invalidUrl = (input) => {
    const e = nodeError(TypeError, 'ERR_INVALID_URL', 'Invalid URL');
    e.input = input;
    return e;
  };
  const isIpv6Hostname = (hostname) => hostname.charCodeAt(0) === 91 && hostname.charCodeAt(hostname.length - 1) === 93;
  const isURL = (self) => Boolean(self && self.href && self.protocol && self.auth === undefined && self.path === undefined);
  const autoEscape = { 9: '%09', 10: '%0A', 13: '%0D', 32: '%20', 34: '%22', 39: '%27', 60: '%3C', 62: '%3E', 92: '%5C', 94: '%5E', 96: '%60', 123: '%7B', 124: '%7C', 125: '%7D' };
  const autoEscapeStr = (rest) => rest.replace(/[\t\n\r "'<>\\^`{|}]/g, (c) => autoEscape[c.charCodeAt(0)]);
  // RFC 3986 userinfo: everything but these is escaped when the auth is formatted back.
  const encodeAuth = (auth) => percentEncode(auth, (c) => /[A-Za-z0-9!\-._~'()*:]/.test(c));

  // IDNA (RFC 3492 punycode per label, after NFC and lower-casing): enough for the hostnames url.parse meets.
  function punycodeEncode(input) {
    const codePoints = _Array.from(input, (c) => c.codePointAt(0));
    const digit = (d) => _String.fromCharCode(d + 22 + 75 * (d < 26));
    const adapt = (delta, numPoints, firstTime) => {
      let k = 0;
      delta = firstTime ? Math.floor(delta / 700) : delta >> 1;
      delta += Math.floor(delta / numPoints);
      for (; delta > 455; k += 36) delta = Math.floor(delta / 35);
      return Math.floor(k + (36 * delta) / (delta + 38));
    };
    let n = 128, delta = 0, bias = 72;
    let output = '';
    for (const c of codePoints) if (c < 128) output += _String.fromCharCode(c);
    const basicLength = output.length;
    let handled = basicLength;
    if (basicLength) output += '-';
    while (handled < codePoints.length) {
      let m = Infinity;
      for (const c of codePoints) if (c >= n && c < m) m = c;
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of codePoints) {
        if (c < n) delta++;
        if (c === n) {
          let q = delta;
          for (let k = 36; ; k += 36) {
            const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
            if (q < t) break;
            output += digit(t + ((q - t) % (36 - t)));
            q = Math.floor((q - t) / (36 - t));
          }
          output += digit(q);
          bias = adapt(delta, handled + 1, handled === basicLength);
          delta = 0;
          handled++;
        }
      }
      delta++;
      n++;
    }
    return output;
  }
  function domainToASCII(domain) {
    return _String(domain).normalize('NFC').toLowerCase().split(/[.\u3002\uff0e\uff61]/)
      .map((label) => (/[^\x00-\x7f]/.test(label) ? 'xn--' + punycodeEncode(label) : label)).join('.');
  }

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }
  function urlParse(url, parseQueryString, slashesDenoteHost) {
    if (url instanceof Url) return url;
    const urlObject = new Url();
    urlObject.parse(url, parseQueryString, slashesDenoteHost);
    return urlObject;
  }
  Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
    validateString(url, 'url');
    let hasHash = false;
    let hasAt = false;
    let start = -1;
    let end = -1;
    let rest = '';
    let lastPos = 0;
    for (let i = 0, inWs = false, split = false; i < url.length; ++i) {
      const code = url.charCodeAt(i);
      const isWs = code < 33 || code === 0xa0 || code === 0xfeff;
      if (start === -1) {
        if (isWs) continue;
        lastPos = start = i;
      } else if (inWs) {
        if (!isWs) { end = -1; inWs = false; }
      } else if (isWs) {
        end = i;
        inWs = true;
      }
      if (!split) {
        switch (code) {
          case 64: hasAt = true; break;
          case 35: hasHash = true; split = true; break;
          case 63: split = true; break;
          case 92:
            if (i - lastPos > 0) rest += url.slice(lastPos, i);
            rest += '/';
            lastPos = i + 1;
            break;
        }
      } else if (!hasHash && code === 35) {
        hasHash = true;
      }
    }
    if (start !== -1) {
      if (lastPos === start) {
        if (end === -1) rest = start === 0 ? url : url.slice(start);
        else rest = url.slice(start, end);
      } else if (end === -1 && lastPos < url.length) {
        rest += url.slice(lastPos);
      } else if (end !== -1 && lastPos < end) {
        rest += url.slice(lastPos, end);
      }
    }
    if (!slashesDenoteHost && !hasHash && !hasAt) {
      const simplePath = simplePathPattern.exec(rest);
      if (simplePath) {
        this.path = rest;
        this.href = rest;
        this.pathname = simplePath[1];
        if (simplePath[2]) {
          this.search = simplePath[2];
          this.query = parseQueryString ? querystring.parse(this.search.slice(1)) : this.search.slice(1);
        } else if (parseQueryString) {
          this.search = null;
          this.query = _Object.create(null);
        }
        return this;
      }
    }
    let proto = protocolPattern.exec(rest);
    let lowerProto;
    if (proto) {
      proto = proto[0];
      lowerProto = proto.toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto.length);
    }
    let slashes;
    if (slashesDenoteHost || proto || hostPattern.test(rest)) {
      slashes = rest.charCodeAt(0) === 47 && rest.charCodeAt(1) === 47;
      if (slashes && !(proto && hostlessProtocol.has(lowerProto))) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }
    if (!hostlessProtocol.has(lowerProto) && (slashes || (proto && !slashedProtocol.has(proto)))) {
      let hostEnd = -1;
      let atSign = -1;
      let nonHost = -1;
      for (let i = 0; i < rest.length; ++i) {
        switch (rest.charCodeAt(i)) {
          case 9: case 10: case 13: case 32: case 34: case 37: case 39: case 59: case 60: case 62: case 92: case 94: case 96:
          case 123: case 124: case 125:
            if (nonHost === -1) nonHost = i;
            break;
          case 35: case 47: case 63:
            if (nonHost === -1) nonHost = i;
            hostEnd = i;
            break;
          case 64:
            atSign = i;
            nonHost = -1;
            break;
        }
        if (hostEnd !== -1) break;
      }
      start = 0;
      if (atSign !== -1) {
        this.auth = builtinDecodeURIComponent(rest.slice(0, atSign));
        start = atSign + 1;
      }
      if (nonHost === -1) {
        this.host = rest.slice(start);
        rest = '';
      } else {
        this.host = rest.slice(start, nonHost);
        rest = rest.slice(nonHost);
      }
      this.parseHost();
      if (typeof this.hostname !== 'string') this.hostname = '';
      const hostname = this.hostname;
      const ipv6Hostname = isIpv6Hostname(hostname);
      if (!ipv6Hostname) {
        for (let i = 0; i < hostname.length; ++i) {
          const code = hostname.charCodeAt(i);
          if (code === 47 || code === 92 || code === 35 || code === 63 || code === 58) {
            this.hostname = hostname.slice(0, i);
            rest = `/${hostname.slice(i)}${rest}`;
            break;
          }
        }
      }
      if (this.hostname.length > hostnameMaxLen) this.hostname = '';
      else this.hostname = this.hostname.toLowerCase();
      if (this.hostname !== '') {
        if (ipv6Hostname) {
          if (forbiddenHostCharsIpv6.test(this.hostname)) throw invalidUrl(url);
        } else {
          if (/[^\x00-\x7f]/.test(this.hostname)) this.hostname = domainToASCII(this.hostname);
          if (this.hostname === '' || forbiddenHostChars.test(this.hostname)) throw invalidUrl(url);
        }
      }
      const p = this.port ? ':' + this.port : '';
      const h = this.hostname || '';
      this.host = h + p;
      if (ipv6Hostname) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== '/') rest = '/' + rest;
      }
    }
    if (!unsafeProtocol.has(lowerProto)) rest = autoEscapeStr(rest);
    let questionIdx = -1;
    let hashIdx = -1;
    for (let i = 0; i < rest.length; ++i) {
      const code = rest.charCodeAt(i);
      if (code === 35) {
        this.hash = rest.slice(i);
        hashIdx = i;
        break;
      } else if (code === 63 && questionIdx === -1) {
        questionIdx = i;
      }
    }
    if (questionIdx !== -1) {
      if (hashIdx === -1) {
        this.search = rest.slice(questionIdx);
        this.query = rest.slice(questionIdx + 1);
      } else {
        this.search = rest.slice(questionIdx, hashIdx);
        this.query = rest.slice(questionIdx + 1, hashIdx);
      }
      if (parseQueryString) this.query = querystring.parse(this.query);
    } else if (parseQueryString) {
      this.search = null;
      this.query = _Object.create(null);
    }
    const useQuestionIdx = questionIdx !== -1 && (hashIdx === -1 || questionIdx < hashIdx);
    const firstIdx = useQuestionIdx ? questionIdx : hashIdx;
    if (firstIdx === -1) {
      if (rest.length > 0) this.pathname = rest;
    } else if (firstIdx > 0) {
      this.pathname = rest.slice(0, firstIdx);
    }
    if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) this.pathname = '/';
    if (this.pathname || this.search) this.path = (this.pathname || '') + (this.search || '');
    this.href = this.format();
    return this;
  };
  Url.prototype.format = function format() {
    let auth = this.auth || '';
    if (auth) auth = encodeAuth(auth) + '@';
    let protocol = this.protocol || '';
    let pathname = this.pathname || '';
    let hash = this.hash || '';
    let host = '';
    let query = '';
    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      host = auth + (this.hostname.includes(':') && !isIpv6Hostname(this.hostname) ? '[' + this.hostname + ']' : this.hostname);
      if (this.port) host += ':' + this.port;
    }
    if (this.query !== null && typeof this.query === 'object') query = querystring.stringify(this.query);
    let search = this.search || (query && ('?' + query)) || '';
    if (protocol && protocol.charCodeAt(protocol.length - 1) !== 58) protocol += ':';
    pathname = pathname.replace(/[#?]/g, (c) => (c === '#' ? '%23' : '%3F'));
    if (this.slashes || slashedProtocol.has(protocol)) {
      if (this.slashes || host) {
        if (pathname && pathname.charCodeAt(0) !== 47) pathname = '/' + pathname;
        host = '//' + host;
      } else if (protocol.length >= 4 && protocol.startsWith('file')) {
        host = '//';
      }
    }
    search = search.replace(/#/g, '%23');
    if (hash && hash.charCodeAt(0) !== 35) hash = '#' + hash;
    if (search && search.charCodeAt(0) !== 63) search = '?' + search;
    return protocol + host + pathname + search + hash;
  };
  Url.prototype.resolve = function resolve(relative) {
    return this.resolveObject(urlParse(relative, false, true)).format();
  };
  Url.prototype.resolveObject = function resolveObject(relative) {
    if (typeof relative === 'string') {
      const rel = new Url();
      rel.parse(relative, false, true);
      relative = rel;
    }
    const result = new Url();
    for (const tkey of _keys(this)) result[tkey] = this[tkey];
    result.hash = relative.hash;
    if (relative.href === '') {
      result.href = result.format();
      return result;
    }
    if (relative.slashes && !relative.protocol) {
      for (const rkey of _keys(relative)) if (rkey !== 'protocol') result[rkey] = relative[rkey];
      if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) result.path = result.pathname = '/';
      result.href = result.format();
      return result;
    }
    if (relative.protocol && relative.protocol !== result.protocol) {
      if (!slashedProtocol.has(relative.protocol)) {
        for (const k of _keys(relative)) result[k] = relative[k];
        result.href = result.format();
        return result;
      }
      result.protocol = relative.protocol;
      if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostlessProtocol.has(relative.protocol)) {
        const relPath = (relative.pathname || '').split('/');
        while (relPath.length && !(relative.host = relPath.shift()));
        if (!relative.host) relative.host = '';
        if (!relative.hostname) relative.hostname = '';
        if (relPath[0] !== '') relPath.unshift('');
        if (relPath.length < 2) relPath.unshift('');
        result.pathname = relPath.join('/');
      } else {
        result.pathname = relative.pathname;
      }
      result.search = relative.search;
      result.query = relative.query;
      result.host = relative.host || '';
      result.auth = relative.auth;
      result.hostname = relative.hostname || relative.host;
      result.port = relative.port;
      if (result.pathname || result.search) result.path = (result.pathname || '') + (result.search || '');
      result.slashes = result.slashes || relative.slashes;
      result.href = result.format();
      return result;
    }
    const isSourceAbs = result.pathname && result.pathname.charAt(0) === '/';
    const isRelAbs = relative.host || (relative.pathname && relative.pathname.charAt(0) === '/');
    let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
    const removeAllDots = mustEndAbs;
    let srcPath = (result.pathname && result.pathname.split('/')) || [];
    const relPath = (relative.pathname && relative.pathname.split('/')) || [];
    const noLeadingSlashes = result.protocol && !slashedProtocol.has(result.protocol);
    if (noLeadingSlashes) {
      result.hostname = '';
      result.port = null;
      if (result.host) {
        if (srcPath[0] === '') srcPath[0] = result.host;
        else srcPath.unshift(result.host);
      }
      result.host = '';
      if (relative.protocol) {
        relative.hostname = null;
        relative.port = null;
        if (relative.host) {
          if (relPath[0] === '') relPath[0] = relative.host;
          else relPath.unshift(relative.host);
        }
        relative.host = null;
      }
      mustEndAbs = mustEndAbs && (relPath[0] === '' || srcPath[0] === '');
    }
    if (isRelAbs) {
      if (relative.host || relative.host === '') {
        if (result.host !== relative.host) result.auth = null;
        result.host = relative.host;
        result.port = relative.port;
      }
      if (relative.hostname || relative.hostname === '') {
        if (result.hostname !== relative.hostname) result.auth = null;
        result.hostname = relative.hostname;
      }
      result.search = relative.search;
      result.query = relative.query;
      srcPath = relPath;
    } else if (relPath.length) {
      if (!srcPath) srcPath = [];
      srcPath.pop();
      srcPath = srcPath.concat(relPath);
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null && relative.search !== undefined) {
      if (noLeadingSlashes) {
        result.hostname = result.host = srcPath.shift();
        const authInHost = result.host && result.host.indexOf('@') > 0 && result.host.split('@');
        if (authInHost) {
          result.auth = authInHost.shift();
          result.host = result.hostname = authInHost.shift();
        }
      }
      result.search = relative.search;
      result.query = relative.query;
      if (result.pathname !== null || result.search !== null) result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
      result.href = result.format();
      return result;
    }
    if (!srcPath.length) {
      result.pathname = null;
      result.path = result.search ? '/' + result.search : null;
      result.href = result.format();
      return result;
    }
    let last = srcPath.slice(-1)[0];
    const hasTrailingSlash = ((result.host || relative.host || srcPath.length > 1) && (last === '.' || last === '..')) || last === '';
    let up = 0;
    for (let i = srcPath.length - 1; i >= 0; i--) {
      last = srcPath[i];
      if (last === '.') {
        srcPath.splice(i, 1);
      } else if (last === '..') {
        srcPath.splice(i, 1);
        up++;
      } else if (up) {
        srcPath.splice(i, 1);
        up--;
      }
    }
    if (!mustEndAbs && !removeAllDots) while (up--) srcPath.unshift('..');
    if (mustEndAbs && srcPath[0] !== '' && (!srcPath[0] || srcPath[0].charAt(0) !== '/')) srcPath.unshift('');
    if (hasTrailingSlash && srcPath.join('/').slice(-1) !== '/') srcPath.push('');
    const isAbsolute = srcPath[0] === '' || (srcPath[0] && srcPath[0].charAt(0) === '/');
    if (noLeadingSlashes) {
      result.hostname = result.host = isAbsolute ? '' : srcPath.length ? srcPath.shift() : '';
      const authInHost = result.host && result.host.indexOf('@') > 0 ? result.host.split('@') : false;
      if (authInHost) {
        result.auth = authInHost.shift();
        result.host = result.hostname = authInHost.shift();
      }
    }
    mustEndAbs = mustEndAbs || (result.host && srcPath.length);
    if (mustEndAbs && !isAbsolute) srcPath.unshift('');
    if (srcPath.length > 0) {
      result.pathname = srcPath.join('/');
    } else {
      result.pathname = null;
      result.path = null;
    }
    if (result.pathname !== null || result.search !== null) result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
    result.auth = relative.auth || result.auth;
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  };
  Url.prototype.parseHost = function parseHost() {
    let host = this.host;
    let port = portPattern.exec(host);
    if (port) {
      port = port[0];
      if (port !== ':') this.port = port.slice(1);
      host = host.slice(0, host.length - port.length);
    }
    if (host) this.hostname = host;
  };

  function urlFormat(urlObject, options) {
    if (typeof urlObject === 'string') {
      urlObject = urlParse(urlObject);
    } else if (typeof urlObject !== 'object' || urlObject === null) {
      throw invalidArgType('urlObject', ['Object', 'string'], urlObject);
    } else if (isURL(urlObject)) {
      let fragment = true, search = true, auth = true;
      if (options) {
        validateObject(options, 'options');
        if (options.fragment != null) fragment = Boolean(options.fragment);
        if (options.search != null) search = Boolean(options.search);
        if (options.auth != null) auth = Boolean(options.auth);
      }
      const u = new URL(urlObject.href);
      if (!auth) { u.username = ''; u.password = ''; }
      if (!search) u.search = '';
      if (!fragment) u.hash = '';
      return u.href;
    }
    return Url.prototype.format.call(urlObject);
  }
  // A file: URL string is read here rather than by URL, which takes the first path segment of file:///a/b for a host.
  function parseFileUrl(input) {
    let rest = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '').slice(5).replace(/\\/g, '/');
    rest = rest.replace(/[?#].*$/s, '');
    let hostname = '';
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      hostname = (slash < 0 ? rest.slice(2) : rest.slice(2, slash)).toLowerCase();
      rest = slash < 0 ? '' : rest.slice(slash);
    }
    const segments = normalizePath(rest.split('/').slice(rest.startsWith('/') ? 1 : 0).map((seg) => encodeKeepingEscapes(seg, keepPath)), true);
    return { protocol: 'file:', hostname: hostname === 'localhost' ? '' : hostname, pathname: '/' + segments.join('/') };
  }
  function fileURLToPath(path) {
    if (typeof path === 'string') path = /^[\u0000-\u0020]*file:/i.test(path) ? parseFileUrl(path) : new URL(path);
    else if (!isURL(path)) throw invalidArgType('path', ['string', 'URL'], path);
    if (path.protocol !== 'file:') throw nodeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
    if (path.hostname !== '' && path.hostname !== 'localhost') {
      throw nodeError(TypeError, 'ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux');
    }
    const pathname = path.pathname;
    if (/%2f/i.test(pathname)) throw nodeError(TypeError, 'ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters');
    return builtinDecodeURIComponent(pathname);
  }
  function pathToFileURL(filepath) {
    const path = builtinPath();
    let resolved = path.resolve(filepath);
    if (filepath.charCodeAt(filepath.length - 1) === 47 && resolved[resolved.length - 1] !== '/') resolved += '/';
    const outURL = new URL('file://');
    const escapes = { '%': '%25', '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', '#': '%23', '?': '%3F', '[': '%5B', '\\': '%5C', ']': '%5D', '^': '%5E', '|': '%7C', '~': '%7E' };
    outURL.pathname = resolved.replace(/[%\t\n\r "#?[\\\]^|~]/g, (c) => escapes[c]);
    return outURL;
  }
  function urlToHttpOptions(url) {
    const options = {
      protocol: url.protocol,
      hostname: typeof url.hostname === 'string' && url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      hash: url.hash,
      search: url.search,
      pathname: url.pathname,
      path: `${url.pathname || ''}${url.search || ''}`,
      href: url.href,
    };
    if (url.port !== '') options.port = Number(url.port);
    if (url.username || url.password) options.auth = `${builtinDecodeURIComponent(url.username)}:${builtinDecodeURIComponent(url.password)}`;
    return options;
  }
  return _freeze({
    Url,
    parse: urlParse,
    resolve: (source, relative) => urlParse(source, false, true).resolve(relative),
    resolveObject: (source, relative) => (source ? urlParse(source, false, true).resolveObject(relative) : relative),
    format: urlFormat,
    URL,
    URLSearchParams,
    domainToASCII: (domain) => { try { return new URL(`http://${domainToASCII(domain)}`).hostname; } catch (e) { return ''; } },
    fileURLToPath,
    pathToFileURL,
    urlToHttpOptions,
  });
});
