using System.Collections;
using System.Net;
using System.Text.Json.Nodes;
using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Silo.Hosting;
using Granary.Silo.Storage;
using Granary.Workspaces;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests.CustomCode;

/// <summary>The Custom Code service's environment variables configure Granary under its own option names.</summary>
public sealed class SeedSettingsTests
{
    private static IConfiguration Configuration(Hashtable variables, IDictionary<string, string?>? granary = null)
    {
        var builder = new ConfigurationBuilder();
        builder.Sources.Add(new CustomCodeEnvironment(variables));
        builder.AddInMemoryCollection(granary ?? new Dictionary<string, string?>());
        return builder.Build();
    }

    [Fact]
    public void EverySeedVariableSetsItsGranarySetting()
    {
        var configuration = Configuration(new Hashtable
        {
            ["FUNCTIONS_RUN_TIMEOUT"] = "5000",
            ["PYTHON_FUNCTIONS_RUN_TIMEOUT"] = "6000",
            ["FUNCTIONS_WORKERS_MAX_LRU"] = "42",
            ["NODE_BUILTIN_MODULES"] = "url, util,crypto",
            ["NODE_WORKER_MAX_OLD_GENERATION_SIZE_MB"] = "64",
            ["INACTIVE_NODE_WORKER_DELETION_TIMEOUT"] = "120",
            ["REQUEST_MAX_SIZE"] = "20mb",
            ["FUNCTIONS_STORAGE_FILESYSTEM_DIRPATH"] = "/srv/functions",
        });

        var workspaces = configuration.GetSection(WorkspaceOptions.SectionName).Get<WorkspaceOptions>()!;
        var limits = configuration.GetSection(FunctionLimits.SectionName).Get<FunctionLimits>()!;

        Assert.Equal(5000, workspaces.RunTimeoutMs);
        Assert.Equal(6000, workspaces.PythonRunTimeoutMs);
        Assert.Equal(64, workspaces.MemoryLimitMb);
        Assert.Equal(120, workspaces.IdleTimeoutSeconds);
        Assert.Equal(42, limits.MaxActiveFunctions);
        Assert.Equal(20L * 1024 * 1024, limits.MaxRequestBodyBytes);
        Assert.Equal("/srv/functions", configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()!.Path);
        Assert.Equal("url,util,crypto", configuration[$"{JavaScriptRuntimeOptions.SectionName}:AllowedBuiltinModules"]);
    }

    [Fact]
    public void GranarysOwnSettingsWinOverTheSeedVariables()
    {
        var configuration = Configuration(
            new Hashtable { ["FUNCTIONS_RUN_TIMEOUT"] = "5000" },
            new Dictionary<string, string?> { ["Granary:Workspaces:RunTimeoutMs"] = "7000" });

        Assert.Equal(7000, configuration.GetSection(WorkspaceOptions.SectionName).Get<WorkspaceOptions>()!.RunTimeoutMs);
    }

    [Theory]
    [InlineData("1mb", 1048576)]
    [InlineData("100kb", 102400)]
    [InlineData("512", 512)]
    [InlineData("1.5MB", 1572864)]
    [InlineData("2 gb", 2147483648)]
    public void RequestMaxSizeReadsLikeTheSeedsBodyParser(string text, long bytes) => Assert.Equal(bytes, CustomCodeEnvironment.ParseSize(text));

    [Fact]
    public void AnUnreadableRequestMaxSizeStopsStartUpNamingTheVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Configuration(new Hashtable { ["REQUEST_MAX_SIZE"] = "lots" }));

        Assert.StartsWith("REQUEST_MAX_SIZE: 'lots'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGatewayRunsWithTheSeedsSettings()
    {
        await using var server = await GranaryServer.StartAsync(seedEnvironment: new Dictionary<string, string>
        {
            ["FUNCTIONS_RUN_TIMEOUT"] = "1000",
            ["REQUEST_MAX_SIZE"] = "2kb",
        });
        var ws = CustomCodeFixture.Workspace();
        await server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["slow"] = CustomCodeCalls.Snippet("await new Promise(r => setTimeout(r, 3000)); return 1;"),
            ["echo"] = CustomCodeCalls.Snippet("return s.length;", ("s", "string")),
        });

        var (slowStatus, slow) = await server.RunJsonAsync(ws, "slow");
        var big = await server.RunAsync(ws, "echo", new { s = new string('x', 3000) });

        Assert.Equal(504, slowStatus);
        Assert.InRange(slow.GetProperty("duration").GetDouble(), 900, 2900);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal(1000, server.Services.GetRequiredService<IOptions<WorkspaceOptions>>().Value.RunTimeoutMs);
        Assert.Equal(1900, (await server.ResultAsync(ws, "echo", new { s = new string('x', 1900) })).GetInt32());
    }
}
