using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    // One client for every isolate of the process: outbound requests are rare (Kyma's emitCloudEvent).
    private static readonly HttpClient s_http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly V8Isolate _isolate;

    internal IsolateHost(V8Isolate isolate) => _isolate = isolate;

    /// <summary>Gets or sets the directory <c>require('fs')</c> works in; null when functions have no file system.</summary>
    internal string? FileSystemRoot { get; set; }

    /// <summary>Delivers an invocation result.</summary>
    [ScriptMember("complete", ScriptAccess.Full)]
    public void Complete(int seq, string json) => _isolate.OnComplete(seq, json);

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

    /// <summary>Starts an HTTP POST; the result comes back through the isolate's <c>completeOp</c>.</summary>
    [ScriptMember("post", ScriptAccess.Full)]
    public void Post(int id, string url, string headersJson, string body) => _ = PostAsync(id, url, headersJson, body);

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

    // Paths are relative to the root (or absolute inside it); anything that leaves the root is refused.
    private string Resolve(string path)
    {
        var root = FileSystemRoot ?? throw new InvalidOperationException("This function has no file system.");
        var full = Path.GetFullPath(Path.Combine(root, path));
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (full != root && !full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException($"EACCES: '{path}' is outside the function's directory.");
        }

        return full;
    }

    private async Task PostAsync(int id, string url, string headersJson, string body)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            foreach (var (name, value) in JsonSerializer.Deserialize(headersJson, RuntimeJsonContext.Default.DictionaryStringString) ?? [])
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await s_http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value));
            _isolate.CompleteOperation(id, true, (int)response.StatusCode, JsonSerializer.Serialize(headers, RuntimeJsonContext.Default.DictionaryStringString), text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException or JsonException)
        {
            _isolate.CompleteOperation(id, false, 0, "{}", $"POST {url} failed: {ex.Message}");
        }
    }
}
