using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Granary.Runtime.Egress;
using Granary.Runtime.Execution;
using Granary.Runtime.Telemetry;
using Microsoft.ClearScript.JavaScript;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The host side of one isolate's <c>fetch</c>, made on its first fetch. Requests go out on the egress policy's
/// handler for the function's tenant, so every connection (each redirect hop too, followed here) is resolved, checked
/// and made to a checked address. Fetches belong to the invocation that started them: when it ends (result, timeout,
/// isolate discarded) they are aborted and their completions dropped, so nothing settles into a later invocation.
/// Every member but the request work itself runs on a thread that holds the isolate.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The client does not own its handler (the egress policy's, shared); each invocation's token source is disposed when the invocation ends.")]
internal sealed class FetchOperations
{
    private const int ChunkBytes = 64 * 1024;
    private const int MaxRedirects = 20;

    // Request headers the host sets itself (fetch's forbidden request headers that matter to HttpClient).
    private static readonly HashSet<string> s_dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "expect", "te", "trailer", "proxy-connection",
    };

    private readonly V8Isolate _isolate;
    private readonly FunctionMeta _function;
    private readonly HttpClient _client;
    private readonly Dictionary<int, Call> _calls = [];
    private CancellationTokenSource? _invocation;
    private int _active;

    public FetchOperations(V8Isolate isolate, FunctionMeta function)
    {
        _isolate = isolate;
        _function = function;
        _client = new HttpClient(function.Egress.CreateHandler(function.Tenant), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static readonly FetchLimits s_defaultLimits = new JavaScriptRuntimeOptions().ToFetchLimits();

    private FetchLimits Limits => LimitsOf(_function);

    /// <summary>The limits of a function's outbound traffic (fetch and sockets): its own, else the defaults.</summary>
    internal static FetchLimits LimitsOf(FunctionMeta function) => function.Fetch ?? s_defaultLimits;

    /// <summary>Copies a chunk read from the network into a Uint8Array as long as it fits; returns the bytes copied.</summary>
    internal static int CopyChunk(ReadOnlySpan<byte> chunk, IArrayBufferView target)
    {
        var count = (int)Math.Min((ulong)chunk.Length, target.Size);
        if (count > 0)
        {
            target.WriteBytes(chunk[..count], 0, (ulong)count, 0);
        }

        return count;
    }

    /// <summary>Starts a fetch; returns the invocation's number, or why the fetch cannot start.</summary>
    public object Start(int id, string method, string url, string headersJson, object? body, string redirect)
    {
        var invocation = _isolate.Invocation;
        if (invocation == 0)
        {
            return "fetch is only available while the function handles a request (not while its module loads, nor after it has answered).";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"URL scheme \"{(uri?.Scheme ?? url)}\" is not supported.";
        }

        if (!_function.Egress.AllowsAny(_function.Tenant))
        {
            return $"tenant '{_function.Tenant}' may not open outbound connections ({EgressOptions.SectionName}:Tenants:{_function.Tenant} is 'none').";
        }

        if (Volatile.Read(ref _active) >= Limits.MaxConcurrentRequests)
        {
            return $"too many fetches in flight: an invocation may have {Limits.MaxConcurrentRequests} at once (Granary:JavaScript:FetchMaxConcurrentRequests).";
        }

        byte[]? content = null;
        if (body is IArrayBufferView view)
        {
            if ((long)view.Size > Limits.MaxRequestBytes)
            {
                return $"the request body of {view.Size} bytes is larger than {Limits.MaxRequestBytes} bytes (Granary:JavaScript:FetchMaxRequestBytes).";
            }

            content = view.GetBytes();
        }

        List<KeyValuePair<string, string>> headers;
        try
        {
            headers = ReadHeaders(headersJson);
        }
        catch (JsonException)
        {
            return "the request headers are malformed.";
        }

        if (_invocation is null)
        {
            _invocation = new CancellationTokenSource();
            _calls.Clear();
        }

        HttpMethod verb;
        try
        {
            verb = new HttpMethod(method);
        }
        catch (FormatException)
        {
            return $"'{method}' is not a valid HTTP method.";
        }

        var functionTimeout = TimeSpan.FromSeconds(_function.TimeoutSeconds);
        var call = new Call(this, id, invocation, Limits.Timeout < functionTimeout || functionTimeout <= TimeSpan.Zero ? Limits.Timeout : functionTimeout, _invocation.Token)
        {
            Method = verb,
            Uri = uri,
            Headers = headers,
            Body = content,
            Redirect = redirect,
            Trace = _isolate.TraceContext,
        };
        _calls[id] = call;
        Interlocked.Increment(ref _active);
        _ = RunAsync(call);
        return invocation;
    }

    /// <summary>Starts reading the next chunk of a fetch's body; returns null, or why it cannot be read.</summary>
    public string? Read(int id, int fetch)
    {
        if (!_calls.TryGetValue(fetch, out var call))
        {
            return "the response body is no longer available (its fetch was aborted or its invocation ended).";
        }

        if (call.Reading)
        {
            return "the response body is already being read.";
        }

        call.Reading = true;
        _ = ReadAsync(call, id);
        return null;
    }

    /// <summary>Copies the chunk a fetch has read into a Uint8Array; the fetch is forgotten once its last chunk is taken.</summary>
    public int Take(int fetch, object target)
    {
        if (!_calls.TryGetValue(fetch, out var call) || target is not IArrayBufferView view)
        {
            return 0;
        }

        var count = CopyChunk(call.Buffer.AsSpan(0, call.Buffered), view);
        call.Buffered = 0;
        if (call.Done)
        {
            _calls.Remove(fetch);
            call.Finish();
        }

        return count;
    }

    /// <summary>Aborts one fetch: its request or body read stops and its connection closes.</summary>
    public void Abort(int fetch)
    {
        if (_calls.Remove(fetch, out var call))
        {
            call.Aborted = true;
            call.Finish();
        }
    }

    /// <summary>The invocation ended: every fetch it started is aborted and forgotten.</summary>
    public void EndInvocation()
    {
        if (_invocation is not { } invocation)
        {
            return;
        }

        _invocation = null;
        foreach (var call in _calls.Values)
        {
            call.Finish();
        }

        _calls.Clear();
        invocation.Cancel();
        invocation.Dispose();
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(string json)
    {
        var headers = new List<KeyValuePair<string, string>>();
        using var document = JsonDocument.Parse(json);
        foreach (var pair in document.RootElement.EnumerateArray())
        {
            var name = pair[0].GetString() ?? "";
            if (!s_dropped.Contains(name))
            {
                headers.Add(new(name, pair[1].GetString() ?? ""));
            }
        }

        return headers;
    }

    private async Task RunAsync(Call call)
    {
        // The outbound request's client span, a child of the invocation's run (this runs on the isolate's thread, whose
        // current span is not the invocation's): its context goes out as the request's traceparent, as OpenTelemetry's
        // HTTP client instrumentation sends it, replacing any the function set. Ends when the response head arrives.
        using var span = call.Trace == default ? null : GranaryActivities.Runtime.StartActivity("fetch", ActivityKind.Client, call.Trace);
        if (call.Trace != default)
        {
            call.TraceParent = span is null ? TraceContext.Format(call.Trace) : span.Id;
            if (span is { IsAllDataRequested: true })
            {
                span.DisplayName = call.Method.Method;
                span.SetTag("http.request.method", call.Method.Method);
                span.SetTag("url.full", call.Uri.GetLeftPart(UriPartial.Path));
                span.SetTag("server.address", call.Uri.Host);
                span.SetTag("server.port", call.Uri.Port);
            }
        }

        try
        {
            var (response, uri, redirected) = await SendAsync(call);
            span?.SetTag("http.response.status_code", (int)response.StatusCode);
            call.Response = response;
            if (call.IsFinished)
            {
                // Aborted while the head arrived: Finish has already run without this response.
                response.Dispose();
                throw new OperationCanceledException();
            }

            var status = (int)response.StatusCode;
            if (response.Content.Headers.ContentLength is { } length && length > Limits.MaxResponseBytes)
            {
                throw new FetchException($"the response body of {length} bytes is larger than {Limits.MaxResponseBytes} bytes (Granary:JavaScript:FetchMaxResponseBytes).");
            }

            call.Stream = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);

            // A small body comes back with the head: most responses need no second round trip into the isolate.
            await ReadChunkAsync(call).ConfigureAwait(false);
            _isolate.CompleteOperation(call.Id, true, status, HeadersJson(response), InfoJson(uri, redirected, response.ReasonPhrase, call), call.Invocation);
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            call.Finish();
            _isolate.CompleteOperation(call.Id, false, 0, "", ErrorJson(call, ex), call.Invocation);
        }
    }

    private async Task ReadAsync(Call call, int id)
    {
        try
        {
            await ReadChunkAsync(call).ConfigureAwait(false);
            call.Reading = false;
            _isolate.CompleteOperation(id, true, call.Buffered, "", call.Done ? "done" : "", call.Invocation);
        }
        catch (Exception ex)
        {
            call.Finish();
            _isolate.CompleteOperation(id, false, 0, "", ErrorJson(call, ex), call.Invocation);
        }
    }

    // Fills the call's buffer with the next chunk (up to 64 KiB, less when the body ends or pauses).
    private async Task ReadChunkAsync(Call call)
    {
        var read = await call.Stream!.ReadAsync(call.Buffer.AsMemory(0, ChunkBytes), call.Token).ConfigureAwait(false);
        call.Total += read;
        if (call.Total > Limits.MaxResponseBytes)
        {
            throw new FetchException($"the response body is larger than {Limits.MaxResponseBytes} bytes (Granary:JavaScript:FetchMaxResponseBytes).");
        }

        call.Buffered = read;
        if (read == 0)
        {
            call.Done = true;
            call.Finish();
        }
    }

    // Sends the request and follows redirects as fetch does: each hop is a new request on the policy's handler, so
    // its connection is checked like the first.
    private async Task<(HttpResponseMessage Response, Uri Uri, bool Redirected)> SendAsync(Call call)
    {
        var uri = call.Uri;
        var method = call.Method;
        var body = call.Body;
        var headers = call.Headers;
        var redirected = false;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, uri);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
            }

            var hasUserAgent = false;
            var hasAccept = false;
            foreach (var (name, value) in headers)
            {
                if (call.TraceParent is not null && (name.Equals(TraceContext.TraceParentHeader, StringComparison.OrdinalIgnoreCase) || name.Equals(TraceContext.TraceStateHeader, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                hasUserAgent |= name.Equals("user-agent", StringComparison.OrdinalIgnoreCase);
                hasAccept |= name.Equals("accept", StringComparison.OrdinalIgnoreCase);
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content ??= new ByteArrayContent([]);
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            if (call.TraceParent is { } traceParent)
            {
                request.Headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, traceParent);
                if (TraceContext.ValidTraceState(call.Trace.TraceState) is { } traceState)
                {
                    request.Headers.TryAddWithoutValidation(TraceContext.TraceStateHeader, traceState);
                }
            }

            // undici's defaults, which some APIs expect.
            if (!hasAccept)
            {
                request.Headers.TryAddWithoutValidation("accept", "*/*");
            }

            if (!hasUserAgent)
            {
                request.Headers.TryAddWithoutValidation("user-agent", "node");
            }

            var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, call.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || call.Redirect == "manual"
                || !response.Headers.TryGetValues("Location", out var locations) || locations.FirstOrDefault() is not { } location)
            {
                return (response, uri, redirected);
            }

            response.Dispose();
            if (call.Redirect == "error")
            {
                throw new FetchException("unexpected redirect");
            }

            if (hop == MaxRedirects)
            {
                throw new FetchException("redirect count exceeded");
            }

            if (!Uri.TryCreate(uri, location, out var next))
            {
                throw new FetchException($"the redirect location '{location}' is not a valid URL");
            }

            if (next.Scheme is not ("http" or "https"))
            {
                throw new FetchException($"URL scheme \"{next.Scheme}\" is not supported.");
            }

            if ((status == 303 && method != HttpMethod.Head) || (status is 301 or 302 && method == HttpMethod.Post))
            {
                method = HttpMethod.Get;
                body = null;
                headers = [.. headers.Where(static h => !h.Key.StartsWith("content-", StringComparison.OrdinalIgnoreCase))];
            }

            // Credentials stay with the origin they were meant for.
            if (!string.Equals(next.GetLeftPart(UriPartial.Authority), uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            {
                headers = [.. headers.Where(static h => h.Key.ToLowerInvariant() is not ("authorization" or "cookie" or "proxy-authorization"))];
            }

            uri = next;
            redirected = true;
        }
    }

    private static string HeadersJson(HttpResponseMessage response)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                foreach (var value in values)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(name.ToLowerInvariant());
                    writer.WriteStringValue(value);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string InfoJson(Uri uri, bool redirected, string? reason, Call call)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("url", uri.AbsoluteUri);
            writer.WriteBoolean("redirected", redirected);
            writer.WriteString("statusText", reason ?? "");
            writer.WriteNumber("buffered", call.Buffered);
            writer.WriteBoolean("done", call.Done);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The cause of "TypeError: fetch failed", as Node's undici gives it: a message and, where there is one, a code.
    private static string ErrorJson(Call call, Exception ex)
    {
        string message;
        string? code = null;
        var name = "Error";
        if (ex is OperationCanceledException && call.TimedOut)
        {
            message = $"fetch timed out after {call.Timeout.TotalSeconds:0.###} s (Granary:JavaScript:FetchTimeoutSeconds, or the function's own timeout)";
            code = "ETIMEDOUT";
            name = "TimeoutError";
        }
        else if (ex is OperationCanceledException)
        {
            message = "This operation was aborted";
            code = "ABORT_ERR";
            name = "AbortError";
        }
        else if (Find<EgressDeniedException>(ex) is { } denied)
        {
            message = denied.Message;
            code = "EGRESS_DENIED";
        }
        else if (Find<SocketException>(ex) is { } socket)
        {
            code = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "ECONNREFUSED",
                SocketError.ConnectionReset => "ECONNRESET",
                SocketError.TimedOut => "ETIMEDOUT",
                SocketError.HostNotFound or SocketError.NoData => "ENOTFOUND",
                SocketError.NetworkUnreachable => "ENETUNREACH",
                SocketError.HostUnreachable => "EHOSTUNREACH",
                _ => socket.SocketErrorCode.ToString().ToUpperInvariant(),
            };
            message = $"{code} {call.Uri.Host}:{call.Uri.Port}: {socket.Message}";
        }
        else if (ex is FetchException)
        {
            message = ex.Message;
        }
        else
        {
            // HttpClient's own words (a malformed response, a TLS failure), with what it wrapped.
            message = ex.InnerException is { } inner && ex is HttpRequestException ? $"{ex.Message} {inner.Message}" : ex.Message;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("message", message);
            if (code is not null)
            {
                writer.WriteString("code", code);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    // One fetch: its request, then its response body read chunk by chunk as the script asks for it.
    private sealed class Call
    {
        private readonly FetchOperations _owner;
        private readonly CancellationToken _invocationToken;
        private readonly CancellationTokenSource _cancel;
        private int _finished;

        public Call(FetchOperations owner, int id, int invocation, TimeSpan timeout, CancellationToken invocationToken)
        {
            _owner = owner;
            _invocationToken = invocationToken;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
            _cancel.CancelAfter(timeout);
            Token = _cancel.Token;
            Id = id;
            Invocation = invocation;
            Timeout = timeout;
        }

        public CancellationToken Token { get; }

        public int Id { get; }

        public int Invocation { get; }

        public TimeSpan Timeout { get; }

        public bool IsFinished => Volatile.Read(ref _finished) != 0;

        public required HttpMethod Method { get; init; }

        public required Uri Uri { get; init; }

        public required List<KeyValuePair<string, string>> Headers { get; init; }

        public byte[]? Body { get; init; }

        public required string Redirect { get; init; }

        /// <summary>Gets the trace context of the invocation that made the request (default outside a trace).</summary>
        public ActivityContext Trace { get; init; }

        /// <summary>Gets or sets the traceparent the request carries (its client span's), or null outside a trace.</summary>
        public string? TraceParent { get; set; }

        public HttpResponseMessage? Response { get; set; }

        public Stream? Stream { get; set; }

        public byte[] Buffer { get; } = new byte[ChunkBytes];

        public int Buffered { get; set; }

        public long Total { get; set; }

        public bool Done { get; set; }

        public bool Reading { get; set; }

        public bool Aborted { get; set; }

        // The fetch's own time ran out (not the invocation's, not an abort).
        public bool TimedOut => _cancel.IsCancellationRequested && !_invocationToken.IsCancellationRequested && !Aborted;

        // Ends the fetch once: its connection closes (or goes back to the pool when the body was read to the end).
        public void Finish()
        {
            if (Interlocked.Exchange(ref _finished, 1) != 0)
            {
                return;
            }

            Interlocked.Decrement(ref _owner._active);
            if (!Done)
            {
                _cancel.Cancel();
            }

            Response?.Dispose();
            _cancel.Dispose();
        }
    }

    private sealed class FetchException(string message) : Exception(message);
}

/// <summary>
/// Kyma's <c>publishCloudEvent</c>: a POST to the publisher address the operator configured, and nowhere else. The
/// address is trusted as the operator's (it may be in-cluster, where the egress policy refuses functions' own
/// connections), so this client does not go through the policy; instead it may connect to that one host and port
/// only, and follows no redirects.
/// </summary>
internal static class PublisherPost
{
    private static readonly HttpClient s_http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Posts the event and settles the script's promise through <c>completeOp</c>, whatever happens.</summary>
    public static async Task SendAsync(V8Isolate isolate, string? publisher, int id, string url, string headersJson, string body)
    {
        try
        {
            if (string.IsNullOrEmpty(publisher))
            {
                throw new InvalidOperationException("No event publisher is configured: the operator sets Granary:JavaScript:PublisherProxyAddress (a function's own PUBLISHER_PROXY_ADDRESS is ignored).");
            }

            if (PublisherAddress.Problem(publisher) is { } error)
            {
                throw new InvalidOperationException($"Granary:JavaScript:PublisherProxyAddress: {error}");
            }

            if (!string.Equals(url, publisher, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Events may only be posted to the configured publisher (Granary:JavaScript:PublisherProxyAddress).");
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(publisher)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            foreach (var (name, value) in JsonSerializer.Deserialize(headersJson, RuntimeJsonContext.Default.DictionaryStringString) ?? [])
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await s_http.SendAsync(request).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value));
            isolate.CompleteOperation(id, true, (int)response.StatusCode, JsonSerializer.Serialize(headers, RuntimeJsonContext.Default.DictionaryStringString), text);
        }
        catch (Exception ex)
        {
            // Every failure settles the promise: a publish never hangs until the function's timeout.
            isolate.CompleteOperation(id, false, 0, "{}", $"POST {publisher ?? url} failed: {ex.Message}");
        }
    }
}
