using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Granary.Runtime.Egress;
using Granary.Runtime.Execution;
using Microsoft.ClearScript.JavaScript;

namespace Granary.Runtime.JavaScript.Io;

/// <summary>
/// The host side of <c>net</c> and <c>tls</c> client sockets, made on an isolate's first connection. Every socket comes
/// from the egress policy's <see cref="EgressPolicy.ConnectAsync"/> for the function's tenant (the name resolved once,
/// every address checked). Reads are asked for by script (a stream's <c>_read</c>) and copied into a Buffer of the
/// length read; writes are copied out of script once. Sockets belong to the invocation that opened them: when it ends
/// they are closed, and a read still waiting is told so. Bytes each way count against the fetch limits of the
/// invocation. Every member but the socket work itself runs on a thread that holds the isolate.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "Each invocation's sockets and token source are disposed when the invocation ends.")]
internal sealed class SocketOperations
{
    private const int ChunkBytes = 64 * 1024;

    private readonly V8Isolate _isolate;
    private readonly FunctionMeta _function;
    private readonly Dictionary<int, Connection> _sockets = [];
    private CancellationTokenSource? _invocation;
    private long _received;
    private long _sent;

    public SocketOperations(V8Isolate isolate, FunctionMeta function)
    {
        _isolate = isolate;
        _function = function;
    }

    private FetchLimits Limits => FetchOperations.LimitsOf(_function);

    /// <summary>
    /// Starts a connection (TLS when <paramref name="tlsJson"/> is not empty: <c>{servername, rejectUnauthorized, ca,
    /// alpn}</c>); the socket is known by <paramref name="id"/>, whose operation completes when it is connected. Returns
    /// the invocation's number, or why the connection cannot start.
    /// </summary>
    public object Connect(int id, string host, int port, string tlsJson)
    {
        var invocation = _isolate.Invocation;
        if (invocation == 0)
        {
            return "sockets are only available while the function handles a request (not while its module loads, nor after it has answered): connect inside the handler.";
        }

        if (_invocation is null)
        {
            _invocation = new CancellationTokenSource();
            _received = 0;
            _sent = 0;
        }

        if (_sockets.Count >= Limits.MaxConcurrentRequests)
        {
            return $"too many sockets open: an invocation may have {Limits.MaxConcurrentRequests} at once (Granary:JavaScript:FetchMaxConcurrentRequests).";
        }

        TlsSettings? tls = null;
        if (!string.IsNullOrEmpty(tlsJson))
        {
            try
            {
                tls = TlsSettings.Parse(tlsJson, host);
            }
            catch (Exception ex) when (ex is JsonException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException)
            {
                return $"the TLS options are invalid: {ex.Message}";
            }
        }

        var connection = new Connection(id, invocation, host, port, _invocation.Token);
        _sockets[id] = connection;
        _ = ConnectAsync(connection, tls);
        return invocation;
    }

    /// <summary>Starts reading the next chunk of a socket (operation <paramref name="id"/>); returns null, or why it cannot read.</summary>
    public string? Read(int id, int socket)
    {
        if (!_sockets.TryGetValue(socket, out var connection))
        {
            return Gone;
        }

        if (connection.Reading)
        {
            return "the socket is already being read.";
        }

        connection.Reading = true;
        _ = ReadAsync(connection, id);
        return null;
    }

    /// <summary>Copies the chunk a socket has read into a Uint8Array of its length; returns the bytes copied.</summary>
    public int Take(int socket, object target)
    {
        if (!_sockets.TryGetValue(socket, out var connection) || target is not IArrayBufferView view)
        {
            return 0;
        }

        var count = FetchOperations.CopyChunk(connection.Buffer.AsSpan(0, connection.Buffered), view);
        connection.Buffered = 0;
        return count;
    }

    /// <summary>Starts writing a Uint8Array to a socket (operation <paramref name="id"/>); returns null, or why it cannot write.</summary>
    public string? Write(int id, int socket, object data)
    {
        if (!_sockets.TryGetValue(socket, out var connection) || connection.Stream is null)
        {
            return Gone;
        }

        if (data is not IArrayBufferView view)
        {
            return "the data to write is not a Uint8Array.";
        }

        _sent += (long)view.Size;
        if (_sent > Limits.MaxRequestBytes)
        {
            return $"the function has written more than {Limits.MaxRequestBytes} bytes to sockets in this invocation (Granary:JavaScript:FetchMaxRequestBytes).";
        }

        var bytes = view.GetBytes();
        _ = WriteAsync(connection, id, bytes);
        return null;
    }

    /// <summary>Ends the writing side (a TCP half-close); reading goes on until the other side ends.</summary>
    public void End(int socket)
    {
        if (_sockets.TryGetValue(socket, out var connection))
        {
            _ = connection.ShutdownAsync();
        }
    }

    /// <summary>Closes a socket at once.</summary>
    public void Destroy(int socket)
    {
        if (_sockets.Remove(socket, out var connection))
        {
            connection.Close();
        }
    }

    /// <summary>Sets <c>noDelay</c> or <c>keepAlive</c> on a socket.</summary>
    public void SetOption(int socket, string name, bool value)
    {
        if (_sockets.TryGetValue(socket, out var connection) && connection.Socket is { } s)
        {
            switch (name)
            {
                case "noDelay":
                    s.NoDelay = value;
                    break;
                case "keepAlive":
                    s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, value);
                    break;
            }
        }
    }

    /// <summary>
    /// Starts TLS on a connected socket (<c>tls.connect({socket})</c>, as PostgreSQL's SSL request does): the plain
    /// read waiting on it is stopped first, so no byte of the handshake is taken as data. Operation
    /// <paramref name="id"/> completes when the handshake is done.
    /// </summary>
    public string? StartTls(int id, int socket, string tlsJson)
    {
        if (!_sockets.TryGetValue(socket, out var connection) || connection.Stream is null)
        {
            return Gone;
        }

        TlsSettings tls;
        try
        {
            tls = TlsSettings.Parse(tlsJson, connection.Host);
        }
        catch (Exception ex) when (ex is JsonException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException)
        {
            return $"the TLS options are invalid: {ex.Message}";
        }

        _ = UpgradeAsync(connection, id, tls);
        return null;
    }

    /// <summary>The invocation ended: its sockets are closed, and reads still waiting are told why.</summary>
    public void EndInvocation()
    {
        if (_invocation is not { } invocation)
        {
            return;
        }

        _invocation = null;
        foreach (var connection in _sockets.Values)
        {
            connection.Close();
            if (connection.PendingRead is { } read)
            {
                // Not tied to the invocation: the script learns its socket closed (a pooled client drops it).
                _isolate.CompleteOperation(read, false, 0, "", ErrorJson("ECONNRESET", "the socket was closed when the invocation that opened it ended (sockets do not outlive their invocation)"));
            }
        }

        _sockets.Clear();
        invocation.Cancel();
        invocation.Dispose();
    }

    private const string Gone = "ERR_SOCKET_CLOSED";

    private async Task ConnectAsync(Connection connection, TlsSettings? tls)
    {
        try
        {
            var socket = await _function.Egress.ConnectAsync(_function.Tenant, connection.Host, connection.Port, connection.Token).ConfigureAwait(false);
            connection.Socket = socket;
            connection.Stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null)
            {
                await connection.AuthenticateAsync(tls).ConfigureAwait(false);
            }

            _isolate.CompleteOperation(connection.Id, true, 0, "", ConnectedJson(connection), connection.Invocation);
        }
        catch (Exception ex)
        {
            connection.Close();
            _isolate.CompleteOperation(connection.Id, false, 0, "", ErrorJson(connection, ex), connection.Invocation);
        }
    }

    private async Task UpgradeAsync(Connection connection, int id, TlsSettings tls)
    {
        try
        {
            await connection.StopReadingAsync().ConfigureAwait(false);
            await connection.AuthenticateAsync(tls).ConfigureAwait(false);
            _isolate.CompleteOperation(id, true, 0, "", ConnectedJson(connection), connection.Invocation);
        }
        catch (Exception ex)
        {
            connection.Close();
            _isolate.CompleteOperation(id, false, 0, "", ErrorJson(connection, ex), connection.Invocation);
        }
    }

    // Waits for data without taking any (a zero-byte read, which a TLS upgrade may stop), then reads what came.
    private async Task ReadAsync(Connection connection, int id)
    {
        connection.PendingRead = id;
        try
        {
            var read = await connection.ReadAsync().ConfigureAwait(false);
            connection.PendingRead = null;
            if (read < 0)
            {
                // Stopped for a TLS upgrade: the script's stream reads again once the handshake is done.
                connection.Reading = false;
                _isolate.CompleteOperation(id, true, -1, "", "", connection.Invocation);
                return;
            }

            // Reads of several sockets finish on pool threads at once.
            if (Interlocked.Add(ref _received, read) > Limits.MaxResponseBytes)
            {
                throw new IOException($"the function has read more than {Limits.MaxResponseBytes} bytes from sockets in this invocation (Granary:JavaScript:FetchMaxResponseBytes).");
            }

            connection.Buffered = read;
            connection.Reading = false;
            _isolate.CompleteOperation(id, true, read, "", "", connection.Invocation);
        }
        catch (Exception ex)
        {
            connection.PendingRead = null;
            connection.Reading = false;
            _isolate.CompleteOperation(id, false, 0, "", ErrorJson(connection, ex), connection.Invocation);
        }
    }

    private async Task WriteAsync(Connection connection, int id, byte[] bytes)
    {
        try
        {
            await connection.WriteAsync(bytes).ConfigureAwait(false);
            _isolate.CompleteOperation(id, true, bytes.Length, "", "", connection.Invocation);
        }
        catch (Exception ex)
        {
            _isolate.CompleteOperation(id, false, 0, "", ErrorJson(connection, ex), connection.Invocation);
        }
    }

    private static string ConnectedJson(Connection connection)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (connection.Socket is { RemoteEndPoint: IPEndPoint remote, LocalEndPoint: IPEndPoint local })
            {
                writer.WriteString("remoteAddress", EgressPolicy.Normalize(remote.Address).ToString());
                writer.WriteNumber("remotePort", remote.Port);
                writer.WriteString("remoteFamily", remote.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4");
                writer.WriteString("localAddress", EgressPolicy.Normalize(local.Address).ToString());
                writer.WriteNumber("localPort", local.Port);
            }

            if (connection.Stream is SslStream ssl)
            {
                writer.WriteBoolean("authorized", connection.Authorized);
                writer.WriteString("protocol", ssl.SslProtocol switch
                {
                    System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
                    System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
                    _ => ssl.SslProtocol.ToString(),
                });
                writer.WriteString("alpnProtocol", ssl.NegotiatedApplicationProtocol.Protocol.Length == 0 ? "" : ssl.NegotiatedApplicationProtocol.ToString());
                if (connection.AuthorizationError is { } error)
                {
                    writer.WriteString("authorizationError", error);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // A socket error as Node's: a message and a code (ECONNREFUSED, ...); a refusal by the egress policy is a refused
    // connection whose message says which policy refused it.
    private static string ErrorJson(Connection connection, Exception ex)
    {
        var where = $"{connection.Host}:{connection.Port}";
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case EgressDeniedException denied:
                    return ErrorJson("ECONNREFUSED", $"connect ECONNREFUSED {where}: {denied.Message}", "connect");
                case SocketException socket:
                    var code = SocketCode(socket.SocketErrorCode);
                    return ErrorJson(code, connection.Stream is null ? $"connect {code} {where}" : $"{(code == "ECONNRESET" ? "read" : "socket")} {code}", connection.Stream is null ? "connect" : "read");
                case System.Security.Authentication.AuthenticationException auth:
                    return ErrorJson(connection.CertificateCode ?? "ERR_SSL_HANDSHAKE_FAILURE", connection.CertificateMessage ?? auth.Message);
                case OperationCanceledException when connection.Token.IsCancellationRequested:
                    return ErrorJson("ECONNRESET", "the socket was closed when the invocation that opened it ended (sockets do not outlive their invocation)");
                case ObjectDisposedException or OperationCanceledException:
                    return ErrorJson("ERR_SOCKET_CLOSED", "Socket is closed");
            }
        }

        return ErrorJson("EIO", ex.Message);
    }

    private static string ErrorJson(string code, string message, string? syscall = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            if (syscall is not null)
            {
                writer.WriteString("syscall", syscall);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string SocketCode(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.ConnectionAborted => "ECONNABORTED",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.HostNotFound or SocketError.NoData => "ENOTFOUND",
        SocketError.NetworkUnreachable => "ENETUNREACH",
        SocketError.HostUnreachable => "EHOSTUNREACH",
        SocketError.Shutdown => "EPIPE",
        _ => "E" + error.ToString().ToUpperInvariant(),
    };

    // What tls.connect was asked for.
    private sealed record TlsSettings(string ServerName, bool RejectUnauthorized, X509Certificate2Collection? Ca, List<string> Alpn)
    {
        public static TlsSettings Parse(string json, string host)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var name = root.TryGetProperty("servername", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } given ? given : host;
            var reject = !root.TryGetProperty("rejectUnauthorized", out var r) || r.ValueKind != JsonValueKind.False;
            X509Certificate2Collection? ca = null;
            if (root.TryGetProperty("ca", out var c) && c.ValueKind == JsonValueKind.Array)
            {
                ca = [];
                foreach (var pem in c.EnumerateArray())
                {
                    ca.ImportFromPem(pem.GetString() ?? "");
                }
            }

            var alpn = root.TryGetProperty("alpn", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(p => p.GetString() ?? "").Where(p => p.Length > 0).ToList()
                : [];
            return new TlsSettings(name, reject, ca, alpn);
        }
    }

    // One socket: its stream (plain, then perhaps TLS), the chunk it read last, and its invocation's token.
    private sealed class Connection(int id, int invocation, string host, int port, CancellationToken invocationToken)
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private CancellationTokenSource _readStop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
        private Task? _waiting;
        private int _closed;

        public int Id { get; } = id;

        public int Invocation { get; } = invocation;

        public string Host { get; } = host;

        public int Port { get; } = port;

        public CancellationToken Token { get; } = invocationToken;

        public Socket? Socket { get; set; }

        public Stream? Stream { get; set; }

        public byte[] Buffer { get; } = new byte[ChunkBytes];

        public int Buffered { get; set; }

        public bool Reading { get; set; }

        public int? PendingRead { get; set; }

        public bool Authorized { get; private set; }

        public string? AuthorizationError { get; private set; }

        public string? CertificateCode { get; private set; }

        public string? CertificateMessage { get; private set; }

        // Returns the bytes read (0 at the end), or -1 when reading was stopped for a TLS upgrade.
        public async Task<int> ReadAsync()
        {
            var stream = Stream ?? throw new ObjectDisposedException("socket");
            var stop = _readStop;
            var wait = stream.ReadAsync(Memory<byte>.Empty, stop.Token).AsTask();
            _waiting = wait;
            try
            {
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !Token.IsCancellationRequested && Volatile.Read(ref _closed) == 0)
            {
                return -1;
            }
            finally
            {
                _waiting = null;
            }

            return await Stream!.ReadAsync(Buffer.AsMemory(), Token).ConfigureAwait(false);
        }

        public async Task StopReadingAsync()
        {
            var stop = _readStop;
            _readStop = CancellationTokenSource.CreateLinkedTokenSource(Token);
            await stop.CancelAsync().ConfigureAwait(false);
            if (_waiting is { } waiting)
            {
                try
                {
                    await waiting.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            stop.Dispose();
        }

        public async Task AuthenticateAsync(TlsSettings tls)
        {
            var ssl = new SslStream(Stream!, leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = tls.ServerName,
                ApplicationProtocols = tls.Alpn.Count == 0 ? null : [.. tls.Alpn.Select(p => new SslApplicationProtocol(p))],
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(tls, certificate, chain, errors),
            };
            await ssl.AuthenticateAsClientAsync(options, Token).ConfigureAwait(false);
            Stream = ssl;
        }

        public async Task WriteAsync(byte[] bytes)
        {
            await _writeLock.WaitAsync(Token).ConfigureAwait(false);
            try
            {
                await Stream!.WriteAsync(bytes, Token).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public async Task ShutdownAsync()
        {
            await _writeLock.WaitAsync(Token).ConfigureAwait(false);
            try
            {
                if (Stream is SslStream ssl)
                {
                    await ssl.ShutdownAsync().ConfigureAwait(false);
                }

                Socket?.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // Already closed: ending it is done.
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            _readStop.Cancel();
            Stream?.Dispose();
            Socket?.Dispose();
            _readStop.Dispose();
        }

        // The system's trust store, or the ca given (which replaces it, as Node's ca does); rejectUnauthorized: false
        // accepts any certificate but says what was wrong, as Node's socket.authorizationError does.
        private bool Validate(TlsSettings tls, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            string? problem = null;
            if (certificate is null)
            {
                problem = "UNABLE_TO_GET_ISSUER_CERT";
            }
            else if (tls.Ca is { Count: > 0 } ca)
            {
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.AddRange(ca);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                }

                using var leaf = new X509Certificate2(certificate);
                if (!custom.Build(leaf))
                {
                    problem = "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
                }
                else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    problem = "ERR_TLS_CERT_ALTNAME_INVALID";
                }
            }
            else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                problem = "ERR_TLS_CERT_ALTNAME_INVALID";
            }
            else if (errors != SslPolicyErrors.None)
            {
                problem = chain?.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.UntrustedRoot) == true ? "SELF_SIGNED_CERT_IN_CHAIN" : "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
            }

            Authorized = problem is null;
            AuthorizationError = problem;
            if (problem is not null && tls.RejectUnauthorized)
            {
                CertificateCode = problem;
                CertificateMessage = problem == "ERR_TLS_CERT_ALTNAME_INVALID"
                    ? $"Hostname/IP does not match certificate's altnames: Host: {tls.ServerName}."
                    : problem switch
                    {
                        "SELF_SIGNED_CERT_IN_CHAIN" => "self-signed certificate in certificate chain",
                        "UNABLE_TO_VERIFY_LEAF_SIGNATURE" => "unable to verify the first certificate",
                        _ => "unable to get issuer certificate",
                    };
                return false;
            }

            return true;
        }
    }
}
