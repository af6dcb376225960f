"""Granary's Python worker: one process, bound to at most one function version for its whole life.

The host (src/Runtime/Workers/WorkerProcess.cs) starts it blank, with a cleared environment and a private temporary working
directory. It answers "ready", then waits for "load" (the function's code and meta), then serves "invoke"
frames one at a time until the host sends "exit" or kills it.

Protocol: every frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON (one
object). Host -> worker frames arrive on a private duplicate of the original stdin; worker -> host frames
leave on a private duplicate of the original stdout. File descriptors 1 and 2 are then pointed at capture
files, so output written below Python (C extensions, os.write(1, ...)) can never corrupt the protocol.

  worker -> host  {"op":"ready","pid":1234,"python":"3.11.2"}
  host -> worker  {"op":"load","code":"...","meta":{...},"packages":"/packages/<set>/site-packages"?}
  worker -> host  {"op":"loaded","signature":"handler"} | {"op":"loaded","error":{"kind","message","line","column","stack"}}
  host -> worker  {"op":"invoke","seq":7,"request":{...}}
  worker -> host  {"op":"result","seq":7,"result":{...},"fault":"memory-limit"?}
  worker -> host  {"op":"call","id":3,"method":"cache.incr","args":{...}}   (during an invocation)
  host -> worker  {"op":"reply","id":3,"ok":true,"value":4} | {"op":"reply","id":3,"ok":false,"error":"..."}
  worker -> host  {"op":"logs","seq":7,"logs":[...]}   (on SIGUSR1: the host is about to kill a timed-out invocation)
  host -> worker  {"op":"exit"}

Additions to the protocol agreed in the brief (both ends are this file and WorkerProcess.cs): the frame-level
"fault" field of a result, and the "logs" frame sent on SIGUSR1.

An invoke's "request" and a result's "result" are the objects the V8 bootstrap reads and writes
(Granary.Runtime.Execution.InvocationJson on the host's side):

  request  {"method":"POST","path":"/a/b","query":"?x=1" or "","headers":[[name,value],...],"body":"...",
            "encoding":"utf8"|"base64","event":{...}? (the event the host prepared),"state":{...}? (a workspace's cache)}
  result   {"response":{"status":200,"headers":[[name,value],...],"body":"...","encoding":"utf8"|"base64"},
            "logs":[{"level":"log"|"info"|"warn"|"error"|"debug","message":"...","time":unix ms},...],
            "error":{"name","message","stack"?}? (what the function raised; the response already says so),
            "outcome":"bad-request"|"health"|"preflight"|"ignored"|"memory-limit"? (answered without the function's
            own result),"changes":"{...}"? (what the run changed in that state, a JSON string)}

A "logs" frame carries the "logs" array alone.
"""

import os
import sys

# Sandboxed (Granary:Python:Isolation=sandbox): this process is the Python of a bubblewrap sandbox, root in it with
# only CAP_SETUID, CAP_SETGID and CAP_CHOWN until a function loads and it takes its tenant's uid (see _load); or, in a
# rootless sandbox (a silo that is not root), an unprivileged uid of an unprivileged user namespace from its first
# instruction, with no capability at all and nothing to drop.
_SANDBOXED = os.environ.pop("GRANARY_SANDBOX", None) == "1"

# Below the priority of the threads that serve requests (Granary:Python:WorkerNice), inherited by what it starts.
try:
    _nice = int(os.environ.pop("GRANARY_WORKER_NICE", "0") or 0)
    if _nice > 0:
        os.setpriority(os.PRIO_PROCESS, 0, _nice)
except (OSError, ValueError):
    pass

# No controlling terminal: a function must not push input into the terminal the silo was started from (TIOCSTI).
# The worker stays in the silo's session (see below), so it gives the terminal up instead.
try:
    import fcntl as _fcntl
    import termios as _termios
    _tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    try:
        _fcntl.ioctl(_tty, _termios.TIOCNOTTY)
    finally:
        os.close(_tty)
except (OSError, ImportError, AttributeError):
    pass

# A process group of its own: the host ends the worker and every process it started with one signal. Not a session
# of its own (setsid): the kernel schedules each session as one group (autogroup), so forty workers in forty sessions
# would take forty shares of the CPU against the silo's one, whatever their nice value; in the silo's session, the
# workers' nice value (Granary:Python:WorkerNice) keeps them below the threads that serve requests.
try:
    os.setpgid(0, 0)
except OSError:
    pass

# The protocol streams come first, before anything can print: private duplicates of fds 0 and 1.
_PROTO_IN = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
_PROTO_OUT_FD = os.dup(1)
# The host's stderr pipe stays reachable for interpreter-level crash reports (faulthandler) only.
_CRASH_FD = os.dup(2)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)


def _capture_fd(name):
    # An anonymous in-memory file: nothing appears in the function's working directory.
    try:
        return os.memfd_create(name, os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        path = os.path.join(os.getcwd(), "." + name)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        os.unlink(path)
        return fd


_CAPTURE_OUT = _capture_fd("granary-stdout")
_CAPTURE_ERR = _capture_fd("granary-stderr")
os.dup2(_CAPTURE_OUT, 1)
os.dup2(_CAPTURE_ERR, 2)
for _fd in (_PROTO_OUT_FD, _CRASH_FD):
    os.set_inheritable(_fd, False)

import faulthandler  # noqa: E402

_crash_file = os.fdopen(_CRASH_FD, "w", buffering=1)
faulthandler.enable(file=_crash_file)

# Everything a cold start would otherwise import; the warm pool hides this cost.
import asyncio  # noqa: E402,F401
import base64  # noqa: E402,F401
import io  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import logging  # noqa: E402
import mmap  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import site  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

_SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _SCRIPTS_DIR)
# The adapters are large: the first worker caches their bytecode in the pool's private scripts directory, and every
# later worker reads it (-B keeps the function's own imports from writing bytecode anywhere). The package imports
# every signature's module now, so that nothing is compiled (or left uncached) when a function loads.
sys.dont_write_bytecode = False
try:
    import granary_adapters as adapters  # noqa: E402
finally:
    sys.dont_write_bytecode = True
    # User code must not import the host's scripts by accident.
    if sys.path and sys.path[0] == _SCRIPTS_DIR:
        del sys.path[0]

_HEADER = struct.Struct(">I")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr).encode
_loads = json.loads
_now_ms = lambda: time.time() * 1000.0  # noqa: E731
_MiB = 1024 * 1024

# A reservation of address space freed when memory runs out, so that the reply can still be built.
_reserve = mmap.mmap(-1, 4 * _MiB)

# Log lines of the current invocation: {"level": level, "message": message, "time": unix ms}.
_logs = []
_seq = 0
_memory_limit_mb = 0


def _send(message):
    data = _dumps(message).encode("utf-8", "replace")
    header = _HEADER.pack(len(data))
    written = os.writev(_PROTO_OUT_FD, (header, data))
    if written < len(header) + len(data):
        # A pipe write may be cut short by a signal; send the rest.
        rest = memoryview(header + data)[written:]
        while rest:
            rest = rest[os.write(_PROTO_OUT_FD, rest):]


def _receive():
    header = _PROTO_IN.read(4)
    if len(header) < 4:
        return None
    (length,) = _HEADER.unpack(header)
    data = _PROTO_IN.read(length)
    if len(data) < length:
        return None
    return _loads(data)


class _LineWriter(io.TextIOBase):
    """sys.stdout / sys.stderr: every complete line becomes a log line of the current invocation."""

    def __init__(self, level, fileno):
        self._level = level
        self._fileno = fileno
        self._partial = ""

    def writable(self):
        return True

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"

    def isatty(self):
        return False

    def fileno(self):
        return self._fileno

    @property
    def buffer(self):
        return _BytesWriter(self)

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        if "\n" not in text:
            self._partial += text
            return len(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        now = _now_ms()
        level = self._level
        for line in lines:
            _logs.append({"level": level, "message": line, "time": now})
        return len(text)

    def flush(self):
        pass

    def end_invocation(self):
        if self._partial:
            _logs.append({"level": self._level, "message": self._partial, "time": _now_ms()})
            self._partial = ""


class _BytesWriter:
    """sys.stdout.buffer: bytes written by code that bypasses text I/O."""

    def __init__(self, text):
        self._text = text

    def write(self, data):
        self._text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self):
        pass


_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn", logging.ERROR: "error", logging.CRITICAL: "error"}


class _LogHandler(logging.Handler):
    """The root logger's handler: each record becomes one log line with the matching level."""

    def emit(self, record):
        try:
            message = self.format(record)
        except Exception:  # noqa: BLE001 - a broken record must not fail the invocation
            message = str(record.msg)
        level = _LEVELS.get(record.levelno)
        if level is None:
            level = "error" if record.levelno >= logging.ERROR else "warn" if record.levelno >= logging.WARNING else "info" if record.levelno >= logging.INFO else "debug"
        _logs.append({"level": level, "message": message, "time": record.created * 1000.0})


_stdout = _LineWriter("log", 1)
_stderr = _LineWriter("error", 2)
sys.stdout = _stdout
sys.stderr = _stderr
logging.root.handlers[:] = [_LogHandler()]
logging.root.setLevel(logging.INFO)


def _drain_captured():
    """Appends what reached fds 1 and 2 below Python during the invocation, then empties the capture files."""
    for fd, level in ((_CAPTURE_OUT, "log"), (_CAPTURE_ERR, "error")):
        size = os.fstat(fd).st_size
        if size:
            data = os.pread(fd, size, 0)
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            now = _now_ms()
            for line in data.decode("utf-8", "replace").rstrip("\n").split("\n"):
                _logs.append({"level": level, "message": line, "time": now})


def _end_invocation():
    _stdout.end_invocation()
    _stderr.end_invocation()
    _drain_captured()


def _take_logs():
    global _logs
    _end_invocation()
    logs = _logs
    _logs = []
    return logs


class Host:
    """What the adapters may ask of the host during an invocation (a workspace cache, for snippets)."""

    def __init__(self):
        self._next_id = 0

    def call(self, method, args):
        self._next_id += 1
        call_id = self._next_id
        _send({"op": "call", "id": call_id, "method": method, "args": args})
        while True:
            message = _receive()
            if message is None:
                os._exit(0)
            if message.get("op") == "reply" and message.get("id") == call_id:
                if message.get("ok"):
                    return message.get("value")
                raise RuntimeError(message.get("error") or "The host refused " + method + ".")
            # Nothing else is sent during an invocation; anything else is out of turn.
            raise RuntimeError("Unexpected frame from the host during " + method + ": " + str(message.get("op")))

    def cache_incr(self, key, delta=1):
        return float(self.call("cache.incr", {"key": key, "delta": delta}))

    def take_logs(self):
        """The current invocation's log lines so far ({"level", "message", "time"}); a copy: they are still reported with its result."""
        _end_invocation()
        return list(_logs)


_host = Host()
_invoke = None
_handler_path = os.path.join(os.getcwd(), "handler.py")


_OWN_DIRS = (_SCRIPTS_DIR, os.path.dirname(os.path.abspath(adapters.__file__)))


def _user_frames(tb):
    """Drops the worker's and the adapters' own frames from the top of a traceback."""
    while tb is not None and os.path.dirname(tb.tb_frame.f_code.co_filename) in _OWN_DIRS:
        tb = tb.tb_next
    return tb


def _format_exception(error):
    tb = _user_frames(error.__traceback__)
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip("\n")


def _error_info(error):
    return {"name": type(error).__name__, "message": str(error), "stack": _format_exception(error)}


def _user_position(error):
    """The innermost line of the function's own code in an exception's traceback, 1-based."""
    line = column = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == _handler_path:
            line = frame.lineno
            colno = getattr(frame, "colno", None)
            column = colno + 1 if colno is not None else None
    return line, column


def _default_compile(code):
    """Compiles the code and runs it as the module `handler`; errors propagate to the caller."""
    try:
        compiled = compile(code, _handler_path, "exec", dont_inherit=True)
    except ValueError as error:
        # Python 3.11 refuses a null byte with ValueError, later versions with SyntaxError.
        raise SyntaxError(str(error)) from None
    module = types.ModuleType("handler")
    module.__file__ = _handler_path
    sys.modules["handler"] = module
    exec(compiled, module.__dict__)
    return module


def _set_memory_limit(memory_limit_mb, overhead_mb):
    # The blank interpreter's own address space (measured now) is not the function's: the limit is
    # what it uses already, plus the function's memoryLimitMb, plus a small headroom.
    with open("/proc/self/statm", "rb") as statm:
        baseline = int(statm.read().split()[0]) * mmap.PAGESIZE
    limit = baseline + (memory_limit_mb + overhead_mb) * _MiB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _load(message):
    global _invoke, _memory_limit_mb
    code = message["code"]
    meta = message["meta"]
    _memory_limit_mb = int(meta.get("memoryLimitMb") or 0)
    if _memory_limit_mb > 0:
        _set_memory_limit(_memory_limit_mb, int(message.get("overheadMb", 16)))
    if _SANDBOXED:
        uid = message.get("uid")
        if not isinstance(uid, int) or uid <= 0:
            # Never run a function as the sandbox's root.
            os._exit(78)
        _take_tenant_identity(uid, message.get("fileSizeMb"))
    # Temporary files go to the private working directory, removed with the worker.
    tempfile.tempdir = os.getcwd()
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in (meta.get("env") or {}).items()})
    if _SANDBOXED:
        _proxy_environment()
        _install_tunnel()
        if _relay_port is not None:
            meta["_relay"] = "http://127.0.0.1:%d" % _relay_port
    try:
        with open(_handler_path, "w", encoding="utf-8") as source:
            source.write(code)
    except OSError:
        pass
    packages = message.get("packages")
    if packages:
        # The function's pip requirements (one set, read-only): first on sys.path, so that they win over the
        # machine's own packages, with their .pth files. The worker serves this function only, so no other
        # function ever sees them.
        sys.path.insert(0, packages)
        site.addsitedir(packages)
    try:
        before_load = getattr(adapters, "before_load", None)
        if before_load is not None:
            before_load(meta, _host)
        compile_module = getattr(adapters, "compile_module", None)
        if compile_module is not None:
            module = compile_module(code, meta, _default_compile)
        else:
            module = _default_compile(code)
    except SyntaxError as error:
        if error.filename not in (None, _handler_path):
            # The module ran and failed to compile something else (exec, an import): a load error.
            return _load_error(error)
        info = {"kind": "compile", "message": type(error).__name__ + ": " + str(error.msg)}
        if error.lineno is not None:
            info["line"] = error.lineno
            if error.offset is not None:
                info["column"] = error.offset
        return info
    except MemoryError:
        _release_reserve()
        return {"kind": "load", "message": "The module exceeded the memory limit of %d MiB while loading." % _memory_limit_mb}
    except BaseException as error:  # noqa: BLE001 - SystemExit in module code is a load error too
        return _load_error(error)
    try:
        signature, invoke = adapters.bind(module, meta, _host)
    except adapters.BindError as error:
        return {"kind": getattr(error, "kind", "handler") or "handler", "message": getattr(error, "message", None) or str(error)}
    except BaseException as error:  # noqa: BLE001
        return _load_error(error)
    _invoke = invoke
    return signature


def _load_error(error):
    line, column = _user_position(error)
    info = {"kind": "load", "message": type(error).__name__ + ": " + str(error), "stack": _format_exception(error)}
    if line is not None:
        info["line"] = line
        if column is not None:
            info["column"] = column
    return info


def _release_reserve():
    global _reserve
    if _reserve is not None:
        _reserve.close()
        _reserve = None


def _problem(status, slug, title, detail):
    body = _dumps({"type": "urn:granary:problem:" + slug, "title": title, "status": status, "detail": detail})
    return {"status": status, "headers": [["Content-Type", "application/problem+json"]], "body": body, "encoding": "utf8"}


def _memory_fault(seq):
    _release_reserve()
    detail = "The function exceeded its memory limit of %d MiB; its worker process was replaced." % _memory_limit_mb
    try:
        logs = _take_logs()
    except MemoryError:
        logs = []
    _send({"op": "result", "seq": seq, "fault": "memory-limit", "result": {
        "response": _problem(500, "memory-limit-exceeded", "Memory limit exceeded", detail),
        "logs": logs, "error": {"name": "MemoryError", "message": detail}, "outcome": "memory-limit"}})
    os._exit(1)


# Whether a call computed or waited, for the host's scale-up rule: it waited when it blocked (a voluntary context switch
# of this thread: a sleep, I/O, a lock) and more than 200 us and more than half of its time went to anything but this
# thread's CPU. Being preempted on a busy machine is not waiting. After a few computing calls in a row the host starts no
# more workers than cores for the function; a call that waited lifts that.
_clock = time.perf_counter
_usage = resource.getrusage
_RUSAGE_THREAD = resource.RUSAGE_THREAD


def _waited(started, usage_started):
    usage = _usage(_RUSAGE_THREAD)
    if usage.ru_nvcsw == usage_started.ru_nvcsw:
        return False
    wall = _clock() - started
    idle = wall - (usage.ru_utime + usage.ru_stime - usage_started.ru_utime - usage_started.ru_stime)
    return idle > 0.0002 and idle > wall / 2


def _run(seq, request):
    started = _clock()
    usage_started = _usage(_RUSAGE_THREAD)
    try:
        out = _invoke(request)
    except MemoryError:
        _memory_fault(seq)
        return
    except BaseException as error:  # noqa: BLE001 - an adapter bug or SystemExit: answer 500, keep serving
        _logs.append({"level": "error", "message": _format_exception(error), "time": _now_ms()})
        result = {"response": _problem(500, "function-failed", "Function failed", type(error).__name__ + ": " + str(error)), "error": _error_info(error)}
    else:
        error = out.get("error")
        if isinstance(error, MemoryError):
            _memory_fault(seq)
            return
        result = {"response": out["response"]}
        if error is not None:
            if isinstance(error, BaseException):
                info = result["error"] = _error_info(error)
                _logs.append({"level": "error", "message": info["stack"], "time": _now_ms()})
            else:
                result["error"] = {"name": "Error", "message": str(error)}
        outcome = out.get("outcome")
        if outcome is not None:
            result["outcome"] = outcome
        changes = out.get("changes")
        if changes is not None:
            result["changes"] = changes
    message = {"op": "result", "seq": seq, "result": result}
    if not _waited(started, usage_started):
        message["computed"] = True
    result["logs"] = _take_logs()
    _send(message)


def _on_usr1(signum, frame):
    # The host timed this invocation out and kills the process next: hand over the logs so far.
    try:
        _send({"op": "logs", "seq": _seq, "logs": _take_logs()})
    except BaseException:  # noqa: BLE001
        pass


def _watch_host():
    # A worker whose host died ends itself, even in the middle of a runaway invocation: the host's end of the protocol
    # pipe closes with the host (POLLHUP), whatever the worker's parent is (in a PID namespace it is the sandbox's
    # init). Ending the worker ends its sandbox: the init exits with it, and the kernel ends the rest of the namespace.
    import select
    poller = select.poll()
    poller.register(_PROTO_IN.fileno(), 0)
    while True:
        for _fd, events in poller.poll():
            if events & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                os._exit(1)


# The egress relay (sandboxed only): the sandbox has a loopback but no other network. A listener on the sandbox's
# own 127.0.0.1 relays every connection to the host's egress proxy (a Unix socket mounted at _EGRESS_SOCKET), which
# applies Granary's egress policy; HTTP_PROXY and friends point at it, and socket.create_connection tunnels through it.
_EGRESS_SOCKET = "/run/granary/egress.sock"
_relay_port = None


def _relay_loop(listener):
    # One thread relays every connection (a thread each would count against the worker's process limit and address space).
    import select
    import socket
    peers = {}
    while True:
        try:
            readable, _, _ = select.select([listener] + list(peers), [], [])
        except (OSError, ValueError):
            for sock in list(peers):
                if sock.fileno() < 0:
                    peers.pop(sock, None)
            continue
        for sock in readable:
            if sock is listener:
                try:
                    client, _ = listener.accept()
                except OSError:
                    continue
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    upstream.connect(_EGRESS_SOCKET)
                except OSError:
                    client.close()
                    upstream.close()
                    continue
                peers[client] = upstream
                peers[upstream] = client
                continue
            peer = peers.get(sock)
            if peer is None:
                continue
            try:
                data = sock.recv(65536)
                if data:
                    peer.sendall(data)
                    continue
            except OSError:
                pass
            for end in (sock, peer):
                peers.pop(end, None)
                end.close()


def _start_relay():
    global _relay_port
    import socket
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    _relay_port = listener.getsockname()[1]
    threading.Thread(target=_relay_loop, args=(listener,), name="granary-egress", daemon=True).start()


def _proxy_environment():
    """Points every proxy variable at the relay; set after the function's env, so that env cannot redirect it."""
    if _relay_port is None:
        return
    proxy = "http://127.0.0.1:%d" % _relay_port
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ[name] = proxy
    for name in ("NO_PROXY", "no_proxy"):
        os.environ.pop(name, None)


def _install_tunnel():
    """Plain sockets tunnel through the relay with CONNECT, so that clients without proxy support work too.

    socket.getaddrinfo answers a host name with a stand-in address of 198.18.0.0/15 (there is no DNS in the sandbox;
    the host resolves the name when it connects), and socket.socket.connect of a TCP socket to anything but the
    sandbox's own loopback listeners connects to the relay instead and asks it for the real destination (the name, for
    a stand-in address). What the egress proxy refuses fails with ConnectionRefusedError and the proxy's reason.
    This covers http.client, urllib, smtplib, socket.create_connection, redis-py, pymysql and asyncio streams (whose
    connect then blocks for the handshake); C libraries with sockets of their own (libpq) need the proxy variables.
    """
    import errno
    import ipaddress
    import socket

    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo
    names = {}
    addresses = {}
    ports = {"http": 80, "https": 443}

    def literal(host):
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
            return True
        except ValueError:
            return False

    def stand_in(name):
        address = addresses.get(name)
        if address is None:
            n = len(addresses) + 1
            address = "198.%d.%d.%d" % (18 + ((n >> 16) & 1), (n >> 8) & 255, n & 255)
            addresses[name] = address
            names[address] = name
        return address

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("idna")
        if host is None or host == "" or literal(host):
            return original_getaddrinfo(host, port, family, type, proto, flags)
        if host == "localhost" or host.endswith(".localhost"):
            host = "127.0.0.1"
            return original_getaddrinfo(host, port, family if family != socket.AF_INET6 else 0, type, proto, flags)
        if family not in (0, socket.AF_INET) or type not in (0, socket.SOCK_STREAM) or proto not in (0, socket.IPPROTO_TCP):
            return original_getaddrinfo(host, port, family, type, proto, flags)
        if port is None:
            number = 0
        elif isinstance(port, int):
            number = port
        elif str(port).isdigit():
            number = int(port)
        elif str(port) in ports:
            number = ports[str(port)]
        else:
            return original_getaddrinfo(host, port, family, type, proto, flags)
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
        canonical = host if flags & socket.AI_CANONNAME else ""
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, canonical, (stand_in(host), number))]

    def tunnelled(sock, address):
        return (sock.family in (socket.AF_INET, socket.AF_INET6) and (sock.type & 0xF) == socket.SOCK_STREAM
                and isinstance(address, tuple) and len(address) >= 2 and isinstance(address[0], str))

    def loopback(host):
        try:
            return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
        except ValueError:
            return False

    def listening_here(port):
        # The sandbox's own network namespace: /proc/net/tcp* list its sockets only (state 0A is LISTEN).
        suffix = ":%04X" % port
        for path in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(path) as table:
                    next(table, None)
                    for line in table:
                        fields = line.split()
                        if len(fields) > 3 and fields[3] == "0A" and fields[1].endswith(suffix):
                            return True
            except OSError:
                pass
        return False

    def handshake(sock, host, port):
        blocking = sock.gettimeout() == 0.0
        if blocking:
            # A non-blocking socket (asyncio): the handshake with the local relay is made blocking, then it is restored.
            sock.settimeout(60.0)
        try:
            relay = ("127.0.0.1", _relay_port) if sock.family == socket.AF_INET else ("::ffff:127.0.0.1", _relay_port)
            original_connect(sock, relay)
            authority = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
            sock.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (authority, authority)).encode("ascii"))
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(1)
                if not chunk:
                    raise ConnectionResetError(errno.ECONNRESET, "Granary's egress proxy closed the connection to %s" % authority)
                head += chunk
                if len(head) > 65536:
                    raise ConnectionError("Granary's egress proxy sent an oversized answer")
            status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = status_line.split(" ", 2)
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            if status != 200:
                length = 0
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1].strip() or 0)
                body = b""
                while len(body) < length:
                    chunk = sock.recv(length - len(body))
                    if not chunk:
                        break
                    body += chunk
                raise ConnectionRefusedError(errno.ECONNREFUSED, body.decode("utf-8", "replace").strip() or status_line)
        finally:
            if blocking:
                sock.settimeout(0.0)

    def connect(self, address):
        if _relay_port is None or not tunnelled(self, address):
            return original_connect(self, address)
        host, port = address[0], int(address[1])
        name = names.get(host)
        if name is None and loopback(host) and listening_here(port):
            # The sandbox's own loopback (the function's own listeners, the relay); the host's goes through the proxy.
            return original_connect(self, address)
        handshake(self, name or host, port)

    def connect_ex(self, address):
        if _relay_port is None or not tunnelled(self, address):
            return original_connect_ex(self, address)
        try:
            connect(self, address)
            return 0
        except OSError as error:
            return error.errno or errno.ECONNREFUSED

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


def _capabilities():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return -1


def _take_tenant_identity(uid, file_size_mb):
    """Sandboxed: becomes the tenant's uid (no capability left after), before any of the function's code runs."""
    if file_size_mb:
        limit = int(file_size_mb) * _MiB
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    cwd = os.getcwd()
    os.chmod(cwd, 0o700)
    if os.geteuid() != 0:
        # Rootless sandbox: already the uid the host names (the same for every tenant), without any capability.
        # Anything else is not the sandbox the host built: never run a function in it.
        if os.geteuid() != uid or os.getuid() != uid or _capabilities() != 0:
            os._exit(78)
        return
    os.chown(cwd, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _drop_privileges():
    # A silo running as root starts its workers as an unprivileged user (Granary:Python:WorkerUser): a function
    # then cannot read the silo's environment (/proc/<silo>/environ), its data directory or anything else that
    # only root may read. The worker's own directory is handed over first.
    uid = os.environ.pop("GRANARY_WORKER_UID", None)
    gid = os.environ.pop("GRANARY_WORKER_GID", None)
    if uid is None or os.geteuid() != 0:
        return
    os.chown(os.getcwd(), int(uid), int(gid))
    os.setgroups([])
    os.setgid(int(gid))
    os.setuid(int(uid))


def main():
    global _seq
    if not _SANDBOXED:
        _drop_privileges()
    signal.signal(signal.SIGUSR1, _on_usr1)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    threading.stack_size(256 * 1024)
    threading.Thread(target=_watch_host, name="granary-host-watch", daemon=True).start()
    if _SANDBOXED:
        _start_relay()
    threading.stack_size(0)
    version = "%d.%d.%d" % sys.version_info[:3]
    _send({"op": "ready", "pid": os.getpid(), "python": version})
    while True:
        message = _receive()
        if message is None:
            os._exit(0)
        op = message.get("op")
        if op == "invoke":
            _seq = message["seq"]
            try:
                _run(_seq, message["request"])
            except MemoryError:
                _memory_fault(_seq)
        elif op == "load":
            try:
                outcome = _load(message)
            except MemoryError:
                _release_reserve()
                outcome = {"kind": "load", "message": "The module exceeded the memory limit of %d MiB while loading." % _memory_limit_mb}
            finally:
                _take_logs()
            if isinstance(outcome, dict):
                # The host discards a worker whose load failed.
                _send({"op": "loaded", "error": outcome})
                continue
            _send({"op": "loaded", "signature": outcome})
        elif op == "exit":
            os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except BaseException:  # noqa: BLE001 - a bug here is a crash; say why on the host's stderr
        try:
            traceback.print_exc(file=_crash_file)
            _crash_file.flush()
        finally:
            os._exit(70)
