// Granary isolate bootstrap: the Node built-in modules implemented for V8 (require('<name>') when allowed), one file
// per module in this folder (internals.js and deep-equal.js hold what they share).
// Each entry is a factory, called once per isolate on first require. Nothing below runs at start-up except
// building this table: every module, and the internals they share (inspect, errors, deep equality), is made
// on first use, so an isolate that never requires a built-in pays only for parsing this file.
const builtinModules = {
  buffer: () => builtinBuffer(),
  path: () => builtinPath(),
  'path/posix': () => builtinPath().posix,
  querystring: () => builtinQuerystring(),
  url: () => builtinUrl(),
  util: () => builtinUtil(),
  'util/types': () => builtinInternals().types,
  events: () => builtinEvents(),
  string_decoder: () => builtinStringDecoder(),
  assert: () => builtinAssert(),
  'assert/strict': () => builtinAssert().strict,
  crypto: () => builtinCrypto(),
  stream: () => builtinStream(),
  'stream/promises': () => builtinStreamPromises(),
  'stream/consumers': () => builtinStreamConsumers(),
  timers: () => builtinTimers(),
  os: () => builtinOs(),
  process: () => processObject,
  module: () => builtinModule(),
  punycode: () => builtinPunycode(),
  tty: () => builtinTty(),
  'timers/promises': () => builtinTimersPromises(),
  zlib: () => builtinZlib(),
  dns: () => builtinDns(),
  'dns/promises': () => builtinDns().promises,
  net: () => builtinNet(),
  tls: () => builtinTls(),
  http: () => builtinHttp(),
  https: () => builtinHttps(),
  http2: () => builtinHttp2(),
};

// Globals the modules call by name, taken before any user code runs so that replacing them changes nothing here.
const builtinDecodeURIComponent = decodeURIComponent;
const builtinEncodeURIComponent = encodeURIComponent;

// Makes a memoised factory: modules that use each other (url uses path and querystring) share one instance.
function builtinOnce(make) {
  let made;
  return () => made || (made = make());
}
