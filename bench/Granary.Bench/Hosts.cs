using System.Diagnostics;

namespace Granary.Bench;

/// <summary>An in-process web host under test, listening on a loopback port chosen by the OS.</summary>
internal abstract class BenchHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    protected BenchHost(WebApplication app, TimeSpan startup)
    {
        _app = app;
        Startup = startup;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public Uri BaseAddress { get; }

    public TimeSpan Startup { get; }

    public IServiceProvider Services => _app.Services;

    public virtual async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The settings both hosts share: a loopback port chosen by the OS and quiet logs.</summary>
    protected static Dictionary<string, string?> CommonSettings() => new()
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

/// <summary>The baseline: a bare Kestrel minimal API that answers <c>POST /hello</c> with fixed JSON.</summary>
internal sealed class BaselineHost : BenchHost
{
    public const string Path = "/hello";

    private BaselineHost(WebApplication app, TimeSpan startup)
        : base(app, startup)
    {
    }

    public static async Task<BaselineHost> StartAsync(byte[] body, string contentType)
    {
        var started = Stopwatch.GetTimestamp();
        var builder = WebApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(CommonSettings());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var app = builder.Build();
        app.MapPost(Path, () => Results.Bytes(body, contentType));
        app.MapGet(Path, () => Results.Bytes(body, contentType)); // wrk sends GET; a function answers any method

        await app.StartAsync();
        return new BaselineHost(app, Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>The Granary gateway with its embedded silo, started the way <c>src/Gateway/Program.cs</c> does.</summary>
internal sealed class GranaryHost : BenchHost
{
    private GranaryHost(WebApplication app, TimeSpan startup, string storagePath)
        : base(app, startup)
    {
        StoragePath = storagePath;
    }

    public string StoragePath { get; }

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public static async Task<GranaryHost> StartAsync()
    {
        var storage = Directory.CreateTempSubdirectory("granary-bench-").FullName;
        try
        {
            var started = Stopwatch.GetTimestamp();
            var ports = LocalMachine.FreePorts(2);
            var settings = CommonSettings();
            settings["Granary:Storage:Path"] = storage;
            settings["Granary:Auth:AdminKey"] = BenchProgram.AdminKey;
            settings["Granary:Cluster:SiloPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Granary:Cluster:GatewayPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);

            var builder = WebApplication.CreateBuilder([]);
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddGranaryGateway();
            var app = builder.Build();
            app.MapGranaryGateway();
            await app.StartAsync();
            return new GranaryHost(app, Stopwatch.GetElapsedTime(started), storage);
        }
        catch
        {
            LocalMachine.DeleteDirectory(storage);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        LocalMachine.DeleteDirectory(StoragePath);
    }
}
