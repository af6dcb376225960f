using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Granary.Runtime.Execution;
using Microsoft.ClearScript;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The only .NET object script ever sees: the bootstrap captures it in a closure, so user code cannot
/// reach it. Members are invisible to script unless marked, and reflection is off in the engine.
/// Every member is called on a thread that holds the isolate. Public only because ClearScript binds public types.
/// </summary>
[DefaultScriptUsage(ScriptAccess.None)]
public sealed class IsolateHost
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly V8Isolate _isolate;
    private readonly Dictionary<string, bool> _moduleDirectories = new(StringComparer.Ordinal);
    private FetchOperations? _fetch;
    private Io.ZlibOperations? _zlib;
    private Io.SocketOperations? _sockets;

    internal IsolateHost(V8Isolate isolate) => _isolate = isolate;

    /// <summary>Gets or sets the directory <c>require('fs')</c> works in; null when functions have no file system.</summary>
    internal string? FileSystemRoot { get; set; }

    /// <summary>Gets or sets the directory the function's npm dependencies are installed in; null when it has none.</summary>
    internal string? PackagesRoot { get; set; }

    /// <summary>Gets or sets the workspace cache of a snippets module; null for other functions.</summary>
    internal Signatures.CustomCode.ISnippetCache? SnippetCache { get; set; }

    /// <summary>Gets or sets the function the isolate has loaded (its tenant, egress policy, publisher); null before loading.</summary>
    internal FunctionMeta? Function { get; set; }

    /// <summary>The running invocation ended: aborts its fetches and closes its sockets (nothing to do for an invocation that made none).</summary>
    internal void EndInvocation()
    {
        _fetch?.EndInvocation();
        _sockets?.EndInvocation();
    }

    /// <summary>Delivers an invocation result.</summary>
    [ScriptMember("complete", ScriptAccess.Full)]
    public void Complete(int seq, string json) => _isolate.OnComplete(seq, json);

    /// <summary>Delivers the outcome of an ES module's load that waited at top level.</summary>
    [ScriptMember("loaded", ScriptAccess.Full)]
    public void Loaded(string json) => _isolate.OnModuleLoaded(json);

    /// <summary>Arms a timer on the event loop.</summary>
    [ScriptMember("setTimer", ScriptAccess.Full)]
    public void SetTimer(int id, double delayMs) => _isolate.SetTimer(id, delayMs);

    /// <summary>Disarms a timer.</summary>
    [ScriptMember("clearTimer", ScriptAccess.Full)]
    public void ClearTimer(int id) => _isolate.ClearTimer(id);

    /// <summary>Returns cryptographically random bytes as hex.</summary>
    [ScriptMember("randomHex", ScriptAccess.Full)]
    [SuppressMessage("Performance", "CA1822", Justification = "Script sees instance members only.")]
    public string RandomHex(int byteCount) =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Math.Clamp(byteCount, 0, 65536)));

    /// <summary>
    /// Compiles an on-demand part of the built-ins (Scripts/vendor/node-streams/) in this isolate and returns it as a function of
    /// <c>define</c>, or null when there is none.
    /// </summary>
    [ScriptMember("builtinScript", ScriptAccess.Full)]
    public object? BuiltinScript(string name) => _isolate.EvaluateOnDemand(name);

    /// <summary>Returns milliseconds since the isolate started.</summary>
    [ScriptMember("hrtime", ScriptAccess.Full)]
    public double HrTime() => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;

    /// <summary>Hashes base64 data with md5, sha1, sha256, sha384 or sha512; returns the digest as base64.</summary>
    [ScriptMember("hash", ScriptAccess.Full)]
    [SuppressMessage("Performance", "CA1822", Justification = "Script sees instance members only.")]
    [SuppressMessage("Security", "CA5350", Justification = "SHA-1 is offered because Node's crypto offers it; Granary never relies on it.")]
    [SuppressMessage("Security", "CA5351", Justification = "MD5 is offered because Node's crypto offers it; Granary never relies on it.")]
    public string Hash(string algorithm, string base64)
    {
        var data = Convert.FromBase64String(base64);
        return Convert.ToBase64String(algorithm.ToLowerInvariant() switch
        {
            "md5" => MD5.HashData(data),
            "sha1" => SHA1.HashData(data),
            "sha256" => SHA256.HashData(data),
            "sha384" => SHA384.HashData(data),
            "sha512" => SHA512.HashData(data),
            _ => throw new ArgumentException($"Digest method not supported: {algorithm}"),
        });
    }

    /// <summary>Computes an HMAC of base64 data with a base64 key; returns the digest as base64.</summary>
    [ScriptMember("hmac", ScriptAccess.Full)]
    [SuppressMessage("Performance", "CA1822", Justification = "Script sees instance members only.")]
    [SuppressMessage("Security", "CA5350", Justification = "HMAC-SHA1 is offered because Node's crypto offers it.")]
    [SuppressMessage("Security", "CA5351", Justification = "HMAC-MD5 is offered because Node's crypto offers it.")]
    public string Hmac(string algorithm, string keyBase64, string base64)
    {
        var key = Convert.FromBase64String(keyBase64);
        var data = Convert.FromBase64String(base64);
        return Convert.ToBase64String(algorithm.ToLowerInvariant() switch
        {
            "md5" => HMACMD5.HashData(key, data),
            "sha1" => HMACSHA1.HashData(key, data),
            "sha256" => HMACSHA256.HashData(key, data),
            "sha384" => HMACSHA384.HashData(key, data),
            "sha512" => HMACSHA512.HashData(key, data),
            _ => throw new ArgumentException($"Invalid digest: {algorithm}"),
        });
    }

    /// <summary>
    /// Derives a key with PBKDF2 (HMAC with sha1, sha256, sha384 or sha512) from a base64 password and salt; returns it as
    /// base64. Iterations are capped at 10 million so that one call cannot hold the isolate's thread for long.
    /// </summary>
    [ScriptMember("pbkdf2", ScriptAccess.Full)]
    [SuppressMessage("Performance", "CA1822", Justification = "Script sees instance members only.")]
    [SuppressMessage("Security", "CA5379", Justification = "PBKDF2 with SHA-1 is offered because Node's crypto offers it.")]
    public string Pbkdf2(string algorithm, string passwordBase64, string saltBase64, int iterations, int keyLength)
    {
        if (iterations is < 1 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), $"PBKDF2 iterations must be between 1 and 10000000 in Granary; {iterations} were asked for.");
        }

        var hash = algorithm.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal) switch
        {
            "sha1" => HashAlgorithmName.SHA1,
            "sha256" => HashAlgorithmName.SHA256,
            "sha384" => HashAlgorithmName.SHA384,
            "sha512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"Invalid digest: {algorithm}"),
        };
        return Convert.ToBase64String(Rfc2898DeriveBytes.Pbkdf2(Convert.FromBase64String(passwordBase64), Convert.FromBase64String(saltBase64), iterations, hash, Math.Clamp(keyLength, 0, 1 << 20)));
    }

    /// <summary>Starts an atomic increment of a workspace cache key; the result comes back through <c>completeCacheOp</c>.</summary>
    [ScriptMember("cacheIncr", ScriptAccess.Full)]
    public void CacheIncrement(int id, string key, double delta) => _ = CacheIncrementAsync(id, key, delta);

    /// <summary>
    /// Starts an HTTP POST to the function's Kyma publisher (the operator's <c>Granary:JavaScript:PublisherProxyAddress</c>,
    /// the only destination it may reach); the result comes back through the isolate's <c>completeOp</c>.
    /// </summary>
    [ScriptMember("post", ScriptAccess.Full)]
    public void Post(int id, string url, string headersJson, string body) => _ = PublisherPost.SendAsync(_isolate, Function?.PublisherProxyAddress, id, url, headersJson, body);

    /// <summary>
    /// Starts a <c>fetch</c>: returns the invocation's sequence number when the request went out (its response comes
    /// back through <c>completeOp</c>), or a string saying why it could not start.
    /// </summary>
    [ScriptMember("fetchStart", ScriptAccess.Full)]
    public object FetchStart(int id, string method, string url, string headersJson, object? body, string redirect) =>
        Fetch.Start(id, method, url, headersJson, body, redirect);

    /// <summary>Reads the next chunk of a fetch's response body; the chunk's length comes back through <c>completeOp</c>.</summary>
    [ScriptMember("fetchRead", ScriptAccess.Full)]
    public string? FetchRead(int id, int fetch) => Fetch.Read(id, fetch);

    /// <summary>Copies the chunk a fetch has read into <paramref name="target"/> (a Uint8Array of its length); returns the bytes copied.</summary>
    [ScriptMember("fetchTake", ScriptAccess.Full)]
    public int FetchTake(int fetch, object target) => Fetch.Take(fetch, target);

    /// <summary>Aborts a fetch (its AbortSignal fired, or its body was cancelled).</summary>
    [ScriptMember("fetchAbort", ScriptAccess.Full)]
    public void FetchAbort(int fetch) => _fetch?.Abort(fetch);

    /// <summary>Opens a zlib codec (<see cref="Io.ZlibOperations.Open"/>); returns its handle.</summary>
    [ScriptMember("zlibOpen", ScriptAccess.Full)]
    public int ZlibOpen(string mode, int level, int strategy, int window, double maxOutput) =>
        Zlib.Open(mode, level, strategy, window, maxOutput is > 0 ? maxOutput : (double)_isolate.Settings.MemoryLimitMb * 1024 * 1024);

    /// <summary>Feeds a chunk to a zlib codec; returns the output bytes waiting, or -1 when it failed.</summary>
    [ScriptMember("zlibWrite", ScriptAccess.Full)]
    public double ZlibWrite(int handle, object? input, int flush) => Zlib.Write(handle, input, flush);

    /// <summary>Copies a zlib codec's waiting output into a Uint8Array; returns the bytes copied.</summary>
    [ScriptMember("zlibTake", ScriptAccess.Full)]
    public int ZlibTake(int handle, object target) => Zlib.Take(handle, target);

    /// <summary>Says why a zlib codec failed, as JSON.</summary>
    [ScriptMember("zlibError", ScriptAccess.Full)]
    public string ZlibError(int handle) => Zlib.Error(handle);

    /// <summary>Frees a zlib codec.</summary>
    [ScriptMember("zlibClose", ScriptAccess.Full)]
    public void ZlibClose(int handle) => _zlib?.Close(handle);

    /// <summary>Starts a <c>dns.lookup</c>; the addresses come back through <c>completeOp</c>. Returns null, or why it cannot start.</summary>
    [ScriptMember("dnsLookup", ScriptAccess.Full)]
    public string? DnsLookup(int id, string hostname, int family) =>
        Io.DnsOperations.Lookup(_isolate, Function ?? throw new InvalidOperationException("No function is loaded."), id, hostname, family);

    /// <summary>Starts a socket connection (TLS when options are given); returns the invocation's number, or why it cannot start.</summary>
    [ScriptMember("socketConnect", ScriptAccess.Full)]
    public object SocketConnect(int id, string hostname, int port, string tlsJson) => Sockets.Connect(id, hostname, port, tlsJson);

    /// <summary>Starts reading a socket's next chunk; returns null, or why it cannot.</summary>
    [ScriptMember("socketRead", ScriptAccess.Full)]
    public string? SocketRead(int id, int socket) => Sockets.Read(id, socket);

    /// <summary>Copies the chunk a socket read into a Uint8Array; returns the bytes copied.</summary>
    [ScriptMember("socketTake", ScriptAccess.Full)]
    public int SocketTake(int socket, object target) => Sockets.Take(socket, target);

    /// <summary>Starts writing a Uint8Array to a socket; returns null, or why it cannot.</summary>
    [ScriptMember("socketWrite", ScriptAccess.Full)]
    public string? SocketWrite(int id, int socket, object data) => Sockets.Write(id, socket, data);

    /// <summary>Ends a socket's writing side.</summary>
    [ScriptMember("socketEnd", ScriptAccess.Full)]
    public void SocketEnd(int socket) => _sockets?.End(socket);

    /// <summary>Closes a socket.</summary>
    [ScriptMember("socketDestroy", ScriptAccess.Full)]
    public void SocketDestroy(int socket) => _sockets?.Destroy(socket);

    /// <summary>Sets a socket's <c>noDelay</c> or <c>keepAlive</c>.</summary>
    [ScriptMember("socketOption", ScriptAccess.Full)]
    public void SocketOption(int socket, string name, bool value) => _sockets?.SetOption(socket, name, value);

    /// <summary>Starts TLS on a connected socket; returns null, or why it cannot.</summary>
    [ScriptMember("socketStartTls", ScriptAccess.Full)]
    public string? SocketStartTls(int id, int socket, string tlsJson) => Sockets.StartTls(id, socket, tlsJson);

    /// <summary>Writes (or appends to) a file under the file-system root; data is base64.</summary>
    [ScriptMember("fsWrite", ScriptAccess.Full)]
    public void FileWrite(string path, string base64, bool append)
    {
        var full = Resolve(path);
        var bytes = Convert.FromBase64String(base64);
        if (append)
        {
            using var stream = new FileStream(full, FileMode.Append, FileAccess.Write);
            stream.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(full, bytes);
        }
    }

    /// <summary>Reads a file under the file-system root as base64, or null when it does not exist.</summary>
    [ScriptMember("fsRead", ScriptAccess.Full)]
    public string? FileRead(string path)
    {
        var full = Resolve(path);
        return File.Exists(full) ? Convert.ToBase64String(File.ReadAllBytes(full)) : null;
    }

    /// <summary>Tells whether a file or directory exists under the file-system root.</summary>
    [ScriptMember("fsExists", ScriptAccess.Full)]
    public bool FileExists(string path)
    {
        var full = Resolve(path);
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>Creates a directory (and its parents) under the file-system root.</summary>
    [ScriptMember("fsMkdir", ScriptAccess.Full)]
    public void MakeDirectory(string path) => Directory.CreateDirectory(Resolve(path));

    /// <summary>
    /// Resolves a <c>require</c> of an npm package the way Node does, confined to the function's packages
    /// directory: bare names in the <c>node_modules</c> directories from <paramref name="fromDirectory"/> up
    /// to the root (never above it), relative and absolute paths as files (exact, <c>.js</c>, <c>.json</c>)
    /// or directories (<c>package.json</c> <c>main</c>, <c>index.js</c>, <c>index.json</c>), and a package's
    /// <c>exports</c> (the <c>require</c>, <c>node</c> and <c>default</c> conditions) and private <c>imports</c> (<c>#name</c>).
    /// Returns the full path of the file, or null when nothing inside the root matches.
    /// </summary>
    [ScriptMember("pkgResolve", ScriptAccess.Full)]
    public string? ResolvePackage(string fromDirectory, string request) => Resolve(fromDirectory, request, import: false);

    /// <summary>
    /// Tells whether the function's own <c>require</c> or <c>import</c> of a package would find it (the deploy-time check
    /// of the requests the code makes inside its handler); nothing is read but the packages' manifests.
    /// </summary>
    [ScriptMember("pkgFound", ScriptAccess.Full)]
    public bool PackageFound(string request) => Resolve("", request, import: false) is not null || Resolve("", request, import: true) is not null;

    /// <summary>
    /// Resolves an <c>import</c> as <see cref="ResolvePackage"/> resolves a <c>require</c>, but with the <c>import</c>
    /// condition of <c>exports</c> maps in place of <c>require</c>.
    /// </summary>
    internal string? ResolveImport(string fromDirectory, string request) => Resolve(fromDirectory, request, import: true);

    /// <summary>
    /// Tells how a file of the function's npm packages loads, as Node decides it: <c>module</c> (an ES module: <c>.mjs</c>,
    /// or <c>.js</c> under a <c>package.json</c> with <c>"type": "module"</c>), <c>json</c>, or <c>commonjs</c> (the rest).
    /// </summary>
    [ScriptMember("pkgFormat", ScriptAccess.Full)]
    public string PackageFormat(string path)
    {
        var root = PackagesRoot;
        if (root is null || string.IsNullOrEmpty(path))
        {
            return "commonjs";
        }

        if (path.EndsWith(".mjs", StringComparison.Ordinal))
        {
            return "module";
        }

        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            return "json";
        }

        if (!path.EndsWith(".js", StringComparison.Ordinal))
        {
            return "commonjs";
        }

        // The nearest package.json decides, as in Node; one without "type" means CommonJS. Read once per directory: a
        // package of hundreds of files asks as many times.
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "";
        if (!_moduleDirectories.TryGetValue(directory, out var isModule))
        {
            using var manifest = NearestManifest(root, directory, out _);
            isModule = manifest is not null && manifest.RootElement.ValueKind is JsonValueKind.Object
                && manifest.RootElement.TryGetProperty("type", out var type) && type.ValueKind is JsonValueKind.String && type.GetString() == "module";
            _moduleDirectories[directory] = isModule;
        }

        return isModule ? "module" : "commonjs";
    }

    private string? Resolve(string fromDirectory, string request, bool import)
    {
        var root = PackagesRoot;
        if (root is null || string.IsNullOrEmpty(request) || request.Contains('\0', StringComparison.Ordinal) || request.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        // The function's own module (fromDirectory empty) is not in the packages directory: it has no relative files.
        var from = string.IsNullOrEmpty(fromDirectory) ? null : Path.GetFullPath(fromDirectory);
        if (from is not null && !IsInside(root, from))
        {
            return null;
        }

        if (request.StartsWith('/'))
        {
            return ResolveFileOrDirectory(root, Path.GetFullPath(request));
        }

        if (request is "." or ".." || request.StartsWith("./", StringComparison.Ordinal) || request.StartsWith("../", StringComparison.Ordinal))
        {
            return from is null ? null : ResolveFileOrDirectory(root, Path.GetFullPath(Path.Combine(from, request)));
        }

        if (request.StartsWith('#'))
        {
            return from is null ? null : ResolvePrivateImport(root, from, request, import);
        }

        var slash = request.IndexOf('/', StringComparison.Ordinal);
        if (request.StartsWith('@'))
        {
            slash = slash < 0 ? -1 : request.IndexOf('/', slash + 1);
        }

        var name = slash < 0 ? request : request[..slash];
        var subpath = slash < 0 ? "" : request[(slash + 1)..];
        if ((name.StartsWith('@') && !name.Contains('/', StringComparison.Ordinal)) || name.Split('/').Any(s => s is "" or "." or ".."))
        {
            return null;
        }

        for (var directory = from ?? root; directory is not null && IsInside(root, directory); directory = Path.GetDirectoryName(directory))
        {
            if (Path.GetFileName(directory) != "node_modules")
            {
                var package = Path.Combine(directory, "node_modules", name);
                if (Directory.Exists(package) && ResolveInPackage(root, package, subpath, import) is { } found)
                {
                    return found;
                }
            }

            if (directory.Length == root.Length)
            {
                break;
            }
        }

        return null;
    }

    // A package's private imports ("#internal"): the "imports" map of the nearest package.json above the importing file.
    private static string? ResolvePrivateImport(string root, string from, string request, bool import)
    {
        using var manifest = NearestManifest(root, from, out var package);
        if (manifest is null || manifest.RootElement.ValueKind is not JsonValueKind.Object
            || !manifest.RootElement.TryGetProperty("imports", out var imports) || imports.ValueKind is not JsonValueKind.Object)
        {
            return null;
        }

        return MatchSubpath(imports, request, import) is { } target
            ? ResolveFileOrDirectory(root, Path.GetFullPath(Path.Combine(package!, target)))
            : null;
    }

    // The package.json nearest above a directory, inside the root; its directory comes back in `package`.
    private static JsonDocument? NearestManifest(string root, string? directory, out string? package)
    {
        for (; directory is not null && IsInside(root, directory); directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "package.json")))
            {
                package = directory;
                return ReadManifest(root, directory);
            }

            if (directory.Length == root.Length)
            {
                break;
            }
        }

        package = null;
        return null;
    }

    /// <summary>
    /// Compiles a CommonJS file of the function's packages (<paramref name="body"/>, read by <see cref="ReadPackageFile"/>)
    /// into its module function, in a document named by its path.
    /// </summary>
    [ScriptMember("pkgCompile", ScriptAccess.Full)]
    public object PackageCompile(string path, string body) => _isolate.CompilePackageFile(path, body);

    /// <summary>Reads a file of the function's npm packages as text, or null when it is missing or outside the packages directory.</summary>
    [ScriptMember("pkgRead", ScriptAccess.Full)]
    public string? ReadPackageFile(string path)
    {
        var root = PackagesRoot;
        if (root is null || string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        try
        {
            return File.Exists(full) && IsConfined(root, full) ? File.ReadAllText(full) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Paths are relative to the root (or absolute inside it); anything that leaves the root is refused.
    private string Resolve(string path)
    {
        var root = FileSystemRoot ?? throw new InvalidOperationException("This function has no file system.");
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!IsInside(root, full))
        {
            throw new UnauthorizedAccessException($"EACCES: '{path}' is outside the function's directory.");
        }

        return full;
    }

    // A package's own entry: its exports map when it has one that matches, else main or the subpath as a file or directory.
    private static string? ResolveInPackage(string root, string package, string subpath, bool import)
    {
        using var manifest = ReadManifest(root, package);
        if (manifest is not null && manifest.RootElement.ValueKind is JsonValueKind.Object
            && manifest.RootElement.TryGetProperty("exports", out var exports) && exports.ValueKind is not JsonValueKind.Null
            && ResolveExports(exports, subpath.Length == 0 ? "." : "./" + subpath, import) is { } exported
            && ResolveFileOrDirectory(root, Path.GetFullPath(Path.Combine(package, exported))) is { } target)
        {
            return target;
        }

        // Packages whose exports do not list the subpath still load it, as Node did before exports existed.
        return ResolveFileOrDirectory(root, subpath.Length == 0 ? package : Path.GetFullPath(Path.Combine(package, subpath)));
    }

    private static string? ResolveFileOrDirectory(string root, string path)
    {
        if (!IsInside(root, path))
        {
            return null;
        }

        if (!Path.EndsInDirectorySeparator(path) && ResolveFile(root, path) is { } file)
        {
            return file;
        }

        var directory = Path.TrimEndingDirectorySeparator(path);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        using var manifest = ReadManifest(root, directory);
        if (manifest is not null && manifest.RootElement.ValueKind is JsonValueKind.Object
            && manifest.RootElement.TryGetProperty("main", out var main) && main.ValueKind is JsonValueKind.String
            && main.GetString() is { Length: > 0 } mainPath)
        {
            var target = Path.GetFullPath(Path.Combine(directory, mainPath));
            if (IsInside(root, target) && (ResolveFile(root, target) ?? ResolveIndex(root, target)) is { } resolved)
            {
                return resolved;
            }
        }

        return ResolveIndex(root, directory);
    }

    private static string? ResolveFile(string root, string path) => FirstFile(root, path, path + ".js", path + ".json");

    private static string? ResolveIndex(string root, string directory) =>
        FirstFile(root, Path.Combine(directory, "index.js"), Path.Combine(directory, "index.json"));

    private static string? FirstFile(string root, params ReadOnlySpan<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate) && IsConfined(root, candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static JsonDocument? ReadManifest(string root, string directory)
    {
        var path = Path.Combine(directory, "package.json");
        if (!File.Exists(path) || !IsConfined(root, path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Node's exports map: a target for the whole package (string, array or conditions) or subpath keys ("./x",
    // "./lib/*"); conditions are taken in the map's order: require (or import), node and default apply.
    private static string? ResolveExports(JsonElement exports, string subpath, bool import)
    {
        var isSubpathMap = exports.ValueKind is JsonValueKind.Object
            && exports.EnumerateObject().Any(p => p.Name.StartsWith('.'));
        if (!isSubpathMap)
        {
            return subpath == "." ? ExportTarget(exports, null, import) : null;
        }

        return MatchSubpath(exports, subpath, import);
    }

    // A key of an exports or imports map: exact, else a pattern with one '*'.
    private static string? MatchSubpath(JsonElement map, string subpath, bool import)
    {
        if (map.TryGetProperty(subpath, out var exact))
        {
            return ExportTarget(exact, null, import);
        }

        foreach (var property in map.EnumerateObject())
        {
            var star = property.Name.IndexOf('*', StringComparison.Ordinal);
            if (star < 0)
            {
                continue;
            }

            var prefix = property.Name[..star];
            var suffix = property.Name[(star + 1)..];
            if (subpath.Length >= prefix.Length + suffix.Length && subpath.StartsWith(prefix, StringComparison.Ordinal) && subpath.EndsWith(suffix, StringComparison.Ordinal))
            {
                return ExportTarget(property.Value, subpath[prefix.Length..^suffix.Length], import);
            }
        }

        return null;
    }

    private static string? ExportTarget(JsonElement target, string? star, bool import)
    {
        switch (target.ValueKind)
        {
            case JsonValueKind.String:
                var path = target.GetString()!;
                return path.StartsWith("./", StringComparison.Ordinal) ? (star is null ? path : path.Replace("*", star, StringComparison.Ordinal)) : null;
            case JsonValueKind.Array:
                foreach (var item in target.EnumerateArray())
                {
                    if (ExportTarget(item, star, import) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var condition in target.EnumerateObject())
                {
                    var applies = condition.Name is "node" or "default" || condition.Name == (import ? "import" : "require");
                    if (applies && ExportTarget(condition.Value, star, import) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsInside(string root, string path) =>
        path.StartsWith(root, StringComparison.Ordinal)
        && (path.Length == root.Length || Path.EndsInDirectorySeparator(root) || path[root.Length] == Path.DirectorySeparatorChar);

    // Inside the root by name and by what the file system does with it: a symbolic link on the way (npm's own
    // node_modules/.bin, or one a package shipped) may only point back inside the root.
    private static bool IsConfined(string root, string path)
    {
        if (!IsInside(root, path))
        {
            return false;
        }

        var current = root;
        foreach (var segment in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            if (info.ResolveLinkTarget(returnFinalTarget: true) is not { } target || !IsInside(root, Path.GetFullPath(target.FullName)))
            {
                return false;
            }
        }

        return true;
    }

    private async Task CacheIncrementAsync(int id, string key, double delta)
    {
        try
        {
            var cache = SnippetCache ?? throw new InvalidOperationException("cache.incr is only available to workspace snippets.");
            var value = await cache.IncrementAsync(key, delta);
            _isolate.CompleteCacheOperation(id, true, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex)
        {
            _isolate.CompleteCacheOperation(id, false, $"cache.incr('{key}') failed: {ex.Message}");
        }
    }

    private Io.ZlibOperations Zlib => _zlib ??= new Io.ZlibOperations();

    private Io.SocketOperations Sockets => _sockets ??= new Io.SocketOperations(_isolate, Function ?? throw new InvalidOperationException("No function is loaded."));

    // Made on the isolate's first fetch, for the function it loaded.
    private FetchOperations Fetch => _fetch ??= new FetchOperations(_isolate, Function ?? throw new InvalidOperationException("No function is loaded."));
}
