// ---------------------------------------------------------------- string_decoder, after Node's src/string_decoder.cc
const builtinStringDecoder = builtinOnce(() => {
  const { nodeError, invalidArgType } = builtinInternals();
  function normalizeEncoding(enc) {
    const e = enc === undefined || enc === null || enc === '' ? 'utf8' : _String(enc).toLowerCase();
    switch (e) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
      case 'latin1': case 'binary': return 'latin1';
      case 'base64': case 'base64url': case 'ascii': case 'hex': return e;
      default: throw nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${enc}`);
    }
  }
  // UTF-8 as V8 decodes it (the WHATWG decoder): each maximal invalid subsequence becomes one U+FFFD.
  function decodeUtf8(bytes, start, end) {
    let out = '';
    const units = [];
    let cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xbf;
    const push = (c) => {
      if (c > 0xffff) { c -= 0x10000; units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)); } else units.push(c);
      if (units.length > 8192) { out += _String.fromCharCode.apply(null, units); units.length = 0; }
    };
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (needed === 0) {
        if (b <= 0x7f) push(b);
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) { if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; needed = 2; cp = b & 0xf; }
        else if (b >= 0xf0 && b <= 0xf4) { if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; needed = 3; cp = b & 0x7; }
        else push(0xfffd);
        continue;
      }
      if (b < lower || b > upper) {
        cp = needed = seen = 0;
        lower = 0x80; upper = 0xbf;
        push(0xfffd);
        i--;
        continue;
      }
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        push(cp);
        cp = needed = seen = 0;
      }
    }
    if (needed) push(0xfffd);
    return out + _String.fromCharCode.apply(null, units);
  }
  function makeString(bytes, start, end, encoding) {
    let s = '';
    switch (encoding) {
      case 'utf8': return decodeUtf8(bytes, start, end);
      case 'utf16le': for (let i = start; i + 1 < end; i += 2) s += _String.fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s;
      case 'base64': return base64Encode(bytes.subarray(start, end));
      case 'base64url': return base64Encode(bytes.subarray(start, end), true);
      case 'hex': for (let i = start; i < end; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16); return s;
      case 'ascii': for (let i = start; i < end; i++) s += _String.fromCharCode(bytes[i] & 0x7f); return s;
      default: for (let i = start; i < end; i++) s += _String.fromCharCode(bytes[i]); return s;
    }
  }
  const state = new WeakMap();
  const stateOf = (decoder) => {
    const st = state.get(decoder);
    if (!st) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type StringDecoder');
    return st;
  };
  // Returns what can be decoded now and keeps the bytes of a character split across writes.
  function decode(st, data) {
    const enc = st.encoding;
    if (enc !== 'utf8' && enc !== 'utf16le' && enc !== 'base64' && enc !== 'base64url') return makeString(data, 0, data.length, enc);
    const chars = st.chars;
    let pos = 0;
    let nread = data.length;
    let prepend = null;
    let body;
    if (st.missing > 0) {
      if (enc === 'utf8') {
        // A byte that should continue the character but does not starts a new one; the old one is decoded as is.
        for (let i = 0; i < nread && i < st.missing; ++i) {
          if ((data[pos + i] & 0xc0) !== 0x80) {
            st.missing = 0;
            chars.set(data.subarray(pos, pos + i), st.buffered);
            st.buffered += i;
            pos += i;
            nread -= i;
            break;
          }
        }
      }
      const found = Math.min(nread, st.missing);
      chars.set(data.subarray(pos, pos + found), st.buffered);
      pos += found;
      nread -= found;
      st.missing -= found;
      st.buffered += found;
      if (st.missing === 0) {
        prepend = makeString(chars, 0, st.buffered, enc);
        st.buffered = 0;
      }
    }
    if (nread === 0) {
      body = prepend !== null ? prepend : '';
      prepend = null;
    } else {
      if (enc === 'utf8' && data[pos + nread - 1] & 0x80) {
        for (let i = nread - 1; ; --i) {
          st.buffered++;
          const b = data[pos + i];
          if ((b & 0xc0) === 0x80) {
            if (st.buffered >= 4 || i === 0) { st.buffered = 0; break; }
          } else {
            if ((b & 0xe0) === 0xc0) st.missing = 2;
            else if ((b & 0xf0) === 0xe0) st.missing = 3;
            else if ((b & 0xf8) === 0xf0) st.missing = 4;
            else { st.buffered = 0; break; }
            if (st.buffered >= st.missing) { st.missing = 0; st.buffered = 0; }
            st.missing -= st.buffered;
            break;
          }
        }
      } else if (enc === 'utf16le') {
        if (nread % 2 === 1) { st.buffered = 1; st.missing = 1; }
        else if ((data[pos + nread - 1] & 0xfc) === 0xd8) { st.buffered = 2; st.missing = 2; }
      } else if (enc === 'base64' || enc === 'base64url') {
        st.buffered = nread % 3;
        if (st.buffered > 0) st.missing = 3 - st.buffered;
      }
      if (st.buffered > 0) {
        nread -= st.buffered;
        chars.set(data.subarray(pos + nread, pos + nread + st.buffered), 0);
      }
      body = nread > 0 ? makeString(data, pos, pos + nread, enc) : '';
    }
    return prepend === null ? body : prepend + body;
  }
  function flush(st) {
    if (st.encoding === 'utf16le' && st.buffered % 2 === 1) { st.missing--; st.buffered--; }
    if (st.buffered === 0) return '';
    const ret = makeString(st.chars, 0, st.buffered, st.encoding);
    st.missing = 0;
    st.buffered = 0;
    return ret;
  }
  const viewOf = (buf) => {
    if (!ArrayBuffer.isView(buf)) throw invalidArgType('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
    return new _Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  };
  function StringDecoder(encoding) {
    this.encoding = normalizeEncoding(encoding);
    state.set(this, { encoding: this.encoding, chars: Buffer.alloc(4), missing: 0, buffered: 0 });
  }
  StringDecoder.prototype.write = function write(buf) {
    if (typeof buf === 'string') return buf;
    const data = viewOf(buf);
    return decode(stateOf(this), data);
  };
  StringDecoder.prototype.end = function end(buf) {
    let ret = '';
    if (buf !== undefined) ret = this.write(buf);
    const st = stateOf(this);
    if (st.buffered > 0) ret += flush(st);
    return ret;
  };
  StringDecoder.prototype.text = function text(buf, offset) {
    const st = stateOf(this);
    st.missing = 0;
    st.buffered = 0;
    return this.write(buf.slice(offset));
  };
  _Object.defineProperties(StringDecoder.prototype, {
    lastChar: { configurable: true, enumerable: true, get() { return stateOf(this).chars; } },
    lastNeed: { configurable: true, enumerable: true, get() { return stateOf(this).missing; } },
    lastTotal: { configurable: true, enumerable: true, get() { const st = stateOf(this); return st.buffered + st.missing; } },
  });
  return _freeze({ StringDecoder });
});
