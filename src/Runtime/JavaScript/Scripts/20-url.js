// Granary isolate bootstrap, part 3: WHATWG URL and URLSearchParams (the parts functions use:
// special and opaque schemes, credentials, IPv6 hosts, default ports, dot segments, percent-encoding).

const SPECIAL_PORTS = { 'ftp:': '21', 'file:': '', 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
const isSpecial = (protocol) => Object.prototype.hasOwnProperty.call(SPECIAL_PORTS, protocol);

function percentEncode(str, keep) {
  const bytes = utf8Encode(str);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const ch = _String.fromCharCode(b);
    if (b < 0x80 && b > 0x20 && b !== 0x7f && keep(ch)) out += ch;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
// Characters kept as-is per component (everything else outside printable ASCII is escaped).
const keepPath = (c) => !' "#<>?`{}'.includes(c);
const keepQuery = (c) => !' "#<>'.includes(c);
const keepSpecialQuery = (c) => !' "#<>\''.includes(c);
const keepFragment = (c) => !' "<>`'.includes(c);
const keepUserinfo = (c) => !' "#<>?`{}/:;=@[\\]^|'.includes(c);
const encodeKeepingEscapes = (str, keep) => str.replace(/%(?![0-9A-Fa-f]{2})|[^%]+/g, (m) => m === '%' ? '%' : percentEncode(m, keep));

function parseHost(input, special) {
  if (input.startsWith('[')) {
    if (!input.endsWith(']') || !/^\[[0-9A-Fa-f:.]+\]$/.test(input)) throw new TypeError('Invalid URL');
    return input.toLowerCase();
  }
  if (!special) return encodeKeepingEscapes(input, (c) => !' "#<>?`{}'.includes(c));
  let host;
  try { host = decodeURIComponent(input); } catch (e) { host = input; }
  host = host.toLowerCase();
  if (host === '' || /[\u0000\t\n\r #/:<>?@[\\\]^|%]/.test(host)) throw new TypeError('Invalid URL');
  // IPv4 in dotted decimal, normalised (leading zeros dropped).
  if (/^[0-9.]+$/.test(host) && host.split('.').length === 4 && host.split('.').every(p => p !== '' && +p < 256)) {
    host = host.split('.').map(p => _String(+p)).join('.');
  }
  return host;
}

function normalizePath(segments, special) {
  const out = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const lower = seg.toLowerCase();
    const isDot = seg === '.' || lower === '%2e';
    const isDotDot = seg === '..' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e';
    const last = i === segments.length - 1;
    if (isDotDot) { out.pop(); if (last) out.push(''); }
    else if (isDot) { if (last) out.push(''); }
    else out.push(seg);
  }
  return out;
}

class URLSearchParams {
  constructor(init) {
    this._list = [];
    this._url = null;
    if (init === undefined || init === null) return;
    if (typeof init === 'object') {
      if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const p = _Array.from(pair);
          if (p.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
          this._list.push([_String(p[0]), _String(p[1])]);
        }
      } else {
        for (const k of _keys(init)) this._list.push([k, _String(init[k])]);
      }
      return;
    }
    this._parse(_String(init));
  }
  _parse(str) {
    this._list = [];
    if (str.startsWith('?')) str = str.slice(1);
    for (const part of str.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const name = eq >= 0 ? part.slice(0, eq) : part;
      const value = eq >= 0 ? part.slice(eq + 1) : '';
      this._list.push([formDecode(name), formDecode(value)]);
    }
  }
  _update() { if (this._url) { const q = this.toString(); this._url._query = q ? '?' + q : ''; } }
  get size() { return this._list.length; }
  append(name, value) { this._list.push([_String(name), _String(value)]); this._update(); }
  delete(name, value) {
    name = _String(name);
    this._list = this._list.filter(([n, v]) => n !== name || (value !== undefined && v !== _String(value)));
    this._update();
  }
  get(name) { name = _String(name); const e = this._list.find(([n]) => n === name); return e ? e[1] : null; }
  getAll(name) { name = _String(name); return this._list.filter(([n]) => n === name).map(([, v]) => v); }
  has(name, value) { name = _String(name); return this._list.some(([n, v]) => n === name && (value === undefined || v === _String(value))); }
  set(name, value) {
    name = _String(name); value = _String(value);
    const i = this._list.findIndex(([n]) => n === name);
    if (i < 0) this._list.push([name, value]);
    else { this._list[i][1] = value; this._list = this._list.filter(([n], j) => n !== name || j === i); }
    this._update();
  }
  sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._update(); }
  forEach(fn, thisArg) { for (const [n, v] of this._list) fn.call(thisArg, v, n, this); }
  keys() { return this._list.map(([n]) => n)[Symbol.iterator](); }
  values() { return this._list.map(([, v]) => v)[Symbol.iterator](); }
  entries() { return this._list.map(([n, v]) => [n, v])[Symbol.iterator](); }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return this._list.map(([n, v]) => formEncode(n) + '=' + formEncode(v)).join('&'); }
}
function formDecode(s) {
  s = s.replace(/\+/g, ' ');
  try { return decodeURIComponent(s); } catch (e) { return s.replace(/%([0-9A-Fa-f]{2})/g, (m, h) => _String.fromCharCode(parseInt(h, 16))); }
}
function formEncode(s) {
  return s.split(' ').map(part => percentEncode(part, (c) => /[A-Za-z0-9*\-._]/.test(c))).join('+');
}

class URL {
  constructor(input, base) {
    input = _String(input).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(input);
    if (m) {
      this._parseAbsolute(m[1].toLowerCase() + ':', m[2]);
    } else {
      if (base === undefined) throw new TypeError(`Invalid URL: ${input}`);
      const b = base instanceof URL ? base : new URL(base);
      this._resolve(input, b);
    }
  }
  _parseAbsolute(protocol, rest) {
    this._protocol = protocol;
    const special = isSpecial(protocol);
    if (special) rest = rest.replace(/\\/g, '/');
    let hash = '', query = '';
    const h = rest.indexOf('#');
    if (h >= 0) { hash = rest.slice(h); rest = rest.slice(0, h); }
    const q = rest.indexOf('?');
    if (q >= 0) { query = rest.slice(q); rest = rest.slice(0, q); }
    this._setQueryHash(query, hash);
    if (protocol === 'file:') {
      // file: has its own host rules: only "file://host/path" has a host ("localhost" means none); "file:///p",
      // "file:/p" and "file:p" are all the path "/p".
      let path = rest;
      let host = '';
      if (rest.startsWith('//')) {
        const end = rest.indexOf('/', 2);
        host = end >= 0 ? rest.slice(2, end) : rest.slice(2);
        path = end >= 0 ? rest.slice(end) : '';
      }
      this._username = ''; this._password = ''; this._port = ''; this._hasHost = true; this._opaque = false;
      this._hostname = host === '' || host.toLowerCase() === 'localhost' ? '' : parseHost(host, true);
      this._setPath(path.startsWith('/') ? path : '/' + path);
    } else if (special || rest.startsWith('//')) {
      if (special) rest = rest.replace(/^\/*/, '//');
      const authEnd = rest.indexOf('/', 2);
      const authority = authEnd >= 0 ? rest.slice(2, authEnd) : rest.slice(2);
      const path = authEnd >= 0 ? rest.slice(authEnd) : '';
      this._parseAuthority(authority, special);
      this._opaque = false;
      this._setPath(path || (special ? '/' : ''));
    } else {
      this._username = ''; this._password = ''; this._hostname = ''; this._port = ''; this._hasHost = false;
      if (rest.startsWith('/')) { this._opaque = false; this._setPath(rest); }
      else { this._opaque = true; this._path = encodeKeepingEscapes(rest, () => true); }
    }
  }
  _parseAuthority(authority, special) {
    this._username = ''; this._password = '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const cred = authority.slice(0, at);
      authority = authority.slice(at + 1);
      const colon = cred.indexOf(':');
      this._username = encodeKeepingEscapes(colon >= 0 ? cred.slice(0, colon) : cred, keepUserinfo);
      this._password = colon >= 0 ? encodeKeepingEscapes(cred.slice(colon + 1), keepUserinfo) : '';
    }
    let host = authority, port = '';
    const pm = /^(.*?)(?::(\d*))?$/.exec(authority.startsWith('[') ? authority.replace(/^(\[[^\]]*\])(.*)$/, (x, a, b) => a + b) : authority);
    if (authority.startsWith('[')) {
      const close = authority.indexOf(']');
      host = authority.slice(0, close + 1);
      const after = authority.slice(close + 1);
      if (after && !/^:\d*$/.test(after)) throw new TypeError('Invalid URL');
      port = after.slice(1);
    } else if (pm) { host = pm[1]; port = pm[2] || ''; }
    if (/:/.test(host) && !host.startsWith('[')) throw new TypeError('Invalid URL');
    if (special && host === '' && this._protocol !== 'file:') throw new TypeError('Invalid URL');
    this._hostname = host === '' ? '' : parseHost(host, special);
    this._hasHost = true;
    if (port !== '') {
      const n = +port;
      if (!(n >= 0 && n <= 65535)) throw new TypeError('Invalid URL');
      port = _String(n);
    }
    this._port = port === SPECIAL_PORTS[this._protocol] ? '' : port;
  }
  _setPath(path) {
    const segments = path.split('/').slice(1);
    const special = isSpecial(this._protocol);
    const norm = normalizePath(segments.map(s => encodeKeepingEscapes(s, keepPath)), special);
    this._path = norm.length || special ? '/' + norm.join('/') : '';
  }
  _setQueryHash(query, hash) {
    const keep = isSpecial(this._protocol) ? keepSpecialQuery : keepQuery;
    this._query = query && query !== '?' ? '?' + encodeKeepingEscapes(query.slice(1), keep) : '';
    this._hash = hash && hash !== '#' ? '#' + encodeKeepingEscapes(hash.slice(1), keepFragment) : '';
    this._params = null;
  }
  _resolve(input, b) {
    this._protocol = b._protocol;
    const special = isSpecial(this._protocol);
    if (special) input = input.replace(/\\/g, '/');
    if (b._opaque && !input.startsWith('#')) throw new TypeError(`Invalid URL: ${input}`);
    this._username = b._username; this._password = b._password; this._hostname = b._hostname; this._port = b._port;
    this._hasHost = b._hasHost; this._opaque = b._opaque;
    if (input.startsWith('//')) { this._parseAbsolute(this._protocol, input); return; }
    let hash = '', query = null, rest = input;
    const h = rest.indexOf('#');
    if (h >= 0) { hash = rest.slice(h); rest = rest.slice(0, h); }
    const q = rest.indexOf('?');
    if (q >= 0) { query = rest.slice(q); rest = rest.slice(0, q); }
    if (rest === '') {
      this._path = b._path;
      this._setQueryHash(query === null ? b._query : query, hash);
      return;
    }
    this._setQueryHash(query === null ? '' : query, hash);
    if (rest.startsWith('/')) { this._setPath(rest); return; }
    const basePath = b._path.slice(0, b._path.lastIndexOf('/') + 1) || '/';
    this._setPath(basePath + rest);
  }
  get href() {
    let s = this._protocol;
    if (this._hasHost) {
      s += '//';
      if (this._username || this._password) s += this._username + (this._password ? ':' + this._password : '') + '@';
      s += this.host;
    } else if (!this._opaque && this._path.startsWith('//')) s += '/.';
    return s + this._path + this._query + this._hash;
  }
  set href(v) { const u = new URL(v); _Object.assign(this, u); this._params = null; }
  get origin() {
    if (isSpecial(this._protocol) && this._protocol !== 'file:') return this._protocol + '//' + this.host;
    if (this._protocol === 'blob:') { try { return new URL(this._path).origin; } catch (e) { return 'null'; } }
    return 'null';
  }
  get protocol() { return this._protocol; }
  set protocol(v) {
    const p = _String(v).replace(/:.*$/, '').toLowerCase() + ':';
    if (/^[a-z][a-z0-9+.-]*:$/.test(p) && isSpecial(p) === isSpecial(this._protocol)) {
      this._protocol = p;
      if (this._port === SPECIAL_PORTS[p]) this._port = '';
    }
  }
  get username() { return this._username; }
  set username(v) { if (this._hasHost) this._username = percentEncode(_String(v), keepUserinfo); }
  get password() { return this._password; }
  set password(v) { if (this._hasHost) this._password = percentEncode(_String(v), keepUserinfo); }
  get host() { return this._hostname + (this._port ? ':' + this._port : ''); }
  set host(v) { if (this._opaque) return; const save = this._protocol; this._parseAuthority(_String(v), isSpecial(save)); }
  get hostname() { return this._hostname; }
  set hostname(v) { if (!this._opaque) this._hostname = parseHost(_String(v), isSpecial(this._protocol)); }
  get port() { return this._port; }
  set port(v) {
    v = _String(v);
    if (v === '') { this._port = ''; return; }
    const m = /^\d+/.exec(v);
    if (m && +m[0] <= 65535) this._port = _String(+m[0]) === SPECIAL_PORTS[this._protocol] ? '' : _String(+m[0]);
  }
  get pathname() { return this._path; }
  set pathname(v) { if (!this._opaque) this._setPath((_String(v).startsWith('/') ? '' : '/') + _String(v)); }
  get search() { return this._query.length > 1 ? this._query : ''; }
  set search(v) { v = _String(v); this._setQueryHash(v === '' ? '' : (v.startsWith('?') ? v : '?' + v), this._hash); }
  get searchParams() {
    if (!this._params) { this._params = new URLSearchParams(this._query); this._params._url = this; }
    return this._params;
  }
  get hash() { return this._hash.length > 1 ? this._hash : ''; }
  set hash(v) { v = _String(v); this._hash = v === '' ? '' : '#' + encodeKeepingEscapes(v.replace(/^#/, ''), keepFragment); }
  toString() { return this.href; }
  toJSON() { return this.href; }
  static canParse(input, base) { try { new URL(input, base); return true; } catch (e) { return false; } }
}
defineGlobal('URL', URL);
defineGlobal('URLSearchParams', URLSearchParams);
