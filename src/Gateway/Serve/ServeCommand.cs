using System.Net;
using System.Net.Sockets;
using Granary.Functions;
using Granary.Gateway.Apis;
using Granary.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Serve;

/// <summary>
/// Single-function mode, a Functions Framework for one file: <c>granary serve --source fn.js --target hello
/// --signature-type http --port 8080</c>. It runs the same embedded silo as the gateway, deploys the file as its
/// only function, routes every path on the port to it, and writes the function's console to stdout/stderr.
/// The function's file system (<c>require('fs')</c>) is the working directory.
/// </summary>
internal static class ServeCommand
{
    private static readonly FunctionId s_function = new("local", "serve", "function");

    public static async Task<int> RunAsync(string[] args)
    {
        var (options, error) = ServeOptions.Parse(args, Environment.GetEnvironmentVariable);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"granary serve: {error}\n{ServeOptions.Usage}");
            return 2;
        }

        if (!File.Exists(options.Source))
        {
            await Console.Error.WriteLineAsync($"granary serve: the source file '{options.Source}' does not exist.");
            return 1;
        }

        var data = Directory.CreateTempSubdirectory("granary-serve-").FullName;
        try
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var app = Build(options, data, ready.Task);
            await app.StartAsync();
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<Granary.Tenants.ITenantGrain>(s_function.Tenant).PutAsync(new Granary.Tenants.TenantQuotas());
            var result = await grains.GetFunctionDefinition(s_function).DeployAsync(new FunctionSpec
            {
                Runtime = FunctionRuntimes.NodeJs,
                Code = await File.ReadAllTextAsync(options.Source),
                Handler = options.Target,
                Signature = options.Signature,
                TimeoutSeconds = options.TimeoutSeconds,
                MemoryLimitMb = options.MemoryLimitMb,
                IdleTimeoutSeconds = 86400,
                MaxConcurrency = 80,
                MaxInstances = 1,
            });
            if (result.Refusal is { } refusal)
            {
                await Console.Error.WriteLineAsync($"granary serve: {refusal.Detail}");
                await app.StopAsync();
                return 1;
            }

            if (result.Error is { } loadError)
            {
                var where = loadError.Line is { } line ? $" at {Path.GetFileName(options.Source)}:{line}:{loadError.Column}" : "";
                await Console.Error.WriteLineAsync($"granary serve: could not load function '{options.Target}' ({loadError.Kind}){where}: {loadError.Message}");
                await app.StopAsync();
                return 1;
            }

            ready.SetResult();
            await Console.Out.WriteLineAsync($"Serving function...\nFunction: {options.Target}\nSignature type: {options.Signature}\nURL: http://localhost:{options.Port}/");
            await app.WaitForShutdownAsync();
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Still in use at exit; it is a temporary directory.
            }
        }
    }

    private static WebApplication Build(ServeOptions options, string data, Task ready)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = $"http://*:{options.Port}",
            ["Granary:Storage:Path"] = data,
            ["Granary:Cluster:SiloPort"] = FreePort(),
            ["Granary:Cluster:GatewayPort"] = FreePort(),
            ["Granary:Cluster:ClusterId"] = "serve-" + Guid.NewGuid().ToString("N"),
            ["Granary:JavaScript:FileSystemRoot"] = Directory.GetCurrentDirectory(),
            ["Granary:JavaScript:EchoConsole"] = "true",
            ["Granary:JavaScript:DefaultMemoryLimitMb"] = options.MemoryLimitMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary:Limits:MaxRequestBodyBytes"] = (32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary:Limits:MaxTimeoutSeconds"] = "3600",
            ["Logging:LogLevel:Default"] = "Warning",

            // One function and no API: nobody uses this key, so nothing is generated or printed.
            ["Granary:Auth:AdminKey"] = Granary.Tenants.ApiKeys.GenerateAdmin(),
        });
        builder.AddGranaryGateway();
        var app = builder.Build();
        app.UseExceptionHandler();
        var function = app.Services.GetRequiredService<FunctionReferences>().Get(s_function.Tenant, s_function.Workspace, s_function.Name);
        var limits = app.Services.GetRequiredService<IOptions<FunctionLimits>>().Value;
        var calls = app.Services.GetRequiredService<InFlightCalls>();

        // The whole path space is the function's, as on Cloud Run (including /robots.txt, which the http
        // signature itself answers with 404).
        // Requests that arrive while the function is being deployed wait for it.
        app.Run(async context =>
        {
            await ready.WaitAsync(context.RequestAborted);
            await InvocationApi.InvokeFunctionAsync(context, calls, function, InvocationApi.RawPath(context), limits, new ResponseScope(null, context.Request.IsHttps));
        });
        return app;
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
