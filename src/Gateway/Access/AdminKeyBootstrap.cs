using Granary.Silo.Storage;
using Granary.Tenants;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Access;

/// <summary>
/// Makes the admin key known before the gateway listens: the configured <c>Granary:Auth:AdminKey</c>; or, on an
/// embedded host without one, the key it generated at its first start. That key's hash is kept in grain storage; the
/// key itself is written once to <c>{Granary:Storage:Path}/admin.key</c> (mode 0600) and printed once in the log.
/// </summary>
internal sealed partial class AdminKeyBootstrap(
    AdminKeys admin,
    IServiceProvider services,
    IOptions<AuthOptions> auth,
    IOptions<StorageOptions> storage,
    IOptions<CustomCodeOptions> customCode,
    ILogger<AdminKeyBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (customCode.Value.AnonymousTenant is { Length: > 0 } anonymous)
        {
            LogAnonymousTenant(anonymous);
        }

        if (auth.Value.AdminKey is { Length: > 0 } configured)
        {
            admin.Set(ApiKeys.Hash(configured));
            return;
        }

        // Only an embedded host gets here (a cluster refuses to start without the setting), so the silo is this process.
        var directory = services.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key);
        var file = Path.Combine(Path.GetFullPath(storage.Value.Path), AuthOptions.AdminKeyFileName);
        if (await directory.GetAdminKeyHashAsync() is { } stored)
        {
            admin.Set(stored);
            LogReused(file);
            return;
        }

        var key = ApiKeys.GenerateAdmin();
        await WriteKeyFileAsync(file, key, cancellationToken);
        admin.Set(await directory.SetAdminKeyHashAsync(ApiKeys.Hash(key)));
        LogGenerated(key, file);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task WriteKeyFileAsync(string file, string key, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var writer = new StreamWriter(file, options);
        await writer.WriteAsync(key.AsMemory(), cancellationToken);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Generated the admin key (shown this once): {AdminKey}\n      It is in {Path} (mode 0600): export GRANARY_KEY=$(cat {Path}) and send 'Authorization: Bearer $GRANARY_KEY'. Set Granary:Auth:AdminKey to choose your own.")]
    private partial void LogGenerated(string adminKey, string path);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Admin key: the one generated at the first start, written to {Path}")]
    private partial void LogReused(string path);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Granary:CustomCode:AnonymousTenant is set: /v2/functions serves tenant {Tenant} to anyone without a key. Only do this behind a gateway that authenticates callers.")]
    private partial void LogAnonymousTenant(string tenant);
}
