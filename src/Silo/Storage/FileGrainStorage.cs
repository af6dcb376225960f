using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Storage;

namespace Granary.Silo.Storage;

/// <summary>
/// Durable grain storage in plain files, for the single-process default: one JSON file per grain state at
/// <c>{root}/{grain type}/{key segments}/{state name}.json</c> (a key <c>default/main/hello</c> of grain type
/// <c>fndef</c> gives <c>fndef/default/main/hello/definition.json</c>). Writes go to a temporary file that is
/// flushed to disk and renamed over the old one, so a crash leaves either the old or the new state, never a torn one.
/// The ETag is the file's last-write time, checked before every write.
/// </summary>
public sealed partial class FileGrainStorage : IGrainStorage, IStorageProbe
{
    private static readonly JsonSerializerOptions s_json = GranaryStateSerializer.Options;

    private readonly string _root;
    private readonly ILogger<FileGrainStorage> _logger;

    /// <summary>
    /// Creates the storage over a root directory, creating it if needed. The directory is made private to the silo's
    /// user (0700): it holds every tenant's code and state, and function workers run as another user.
    /// </summary>
    public FileGrainStorage(string root, ILogger<FileGrainStorage> logger)
    {
        _root = System.IO.Path.GetFullPath(root);
        _logger = logger;
        Directory.CreateDirectory(_root);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Gets the absolute root directory.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }

        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
            var state = await JsonSerializer.DeserializeAsync<T>(stream, s_json);
            if (state is not null)
            {
                grainState.State = state;
            }

            grainState.RecordExists = true;
            grainState.ETag = ETagOf(info);
        }
        catch (JsonException ex)
        {
            LogCorrupt(path, ex);
            throw new OrleansException($"The stored state at '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);

        // Serialize before the first await: the grain may change its state while the write is in flight.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(grainState.State, s_json);
        CheckETag(path, grainState.ETag);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes);
                await stream.FlushAsync();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        grainState.ETag = ETagOf(new FileInfo(path));
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        CheckETag(path, grainState.ETag);
        File.Delete(path);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public string Description => $"File storage at {_root}";

    /// <summary>Writes, reads back and deletes a probe file: the storage is reachable and writable.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = System.IO.Path.Combine(_root, ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            if (await File.ReadAllTextAsync(probe, cancellationToken) != "ok")
            {
                throw new IOException($"The probe file '{probe}' did not read back.");
            }
        }
        finally
        {
            File.Delete(probe);
        }
    }

    /// <summary>Gets the file of a grain's state: type and key segments become directories.</summary>
    public string PathOf(string stateName, GrainId grainId)
    {
        var path = new StringBuilder(_root);
        path.Append(System.IO.Path.DirectorySeparatorChar).Append(Escape(grainId.Type.ToString()!));
        foreach (var segment in grainId.Key.ToString()!.Split('/'))
        {
            path.Append(System.IO.Path.DirectorySeparatorChar).Append(Escape(segment));
        }

        return path.Append(System.IO.Path.DirectorySeparatorChar).Append(Escape(stateName)).Append(".json").ToString();
    }

    private static void CheckETag(string path, string? expected)
    {
        var info = new FileInfo(path);
        var actual = info.Exists ? ETagOf(info) : null;
        if (actual != expected)
        {
            throw new InconsistentStateException($"The state at '{path}' was changed by someone else (ETag {actual ?? "none"}, expected {expected ?? "none"}).", actual ?? "", expected ?? "");
        }
    }

    private static string ETagOf(FileInfo info) => info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);

    // Keeps names readable while making any key safe as a path segment: [A-Za-z0-9_.-] stay, the rest is %XX.
    private static string Escape(string segment)
    {
        // "", "." and ".." would be no directory or a parent; '%' alone never comes out of the escaping below.
        switch (segment)
        {
            case "":
                return "%";
            case ".":
                return "%2E";
            case "..":
                return "%2E%2E";
        }

        var builder = new StringBuilder(segment.Length);
        foreach (var b in Encoding.UTF8.GetBytes(segment))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "The grain state file {Path} is corrupt")]
    private partial void LogCorrupt(string path, Exception exception);
}
