using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Granary.Cluster.Tests.Infrastructure;
using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.NodeProcess;
using Granary.Runtime.Packages;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Cluster.Tests.NodeProcess;

/// <summary>
/// A database driver end to end in process mode: the npm <c>pg</c> package, installed as a function's dependencies,
/// in a sandboxed Node.js worker, against a real PostgreSQL on loopback that the egress policy allows (and only it).
/// </summary>
public sealed class NodeProcessDatabaseTests(PostgresServer postgres)
{
    [Fact]
    public async Task PgQueriesARealPostgresThroughTheEgressPolicyInProcessMode()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var npmDirectory = Directory.CreateTempSubdirectory("granary-pg-npm-").FullName;
        try
        {
            var npm = new NpmPackages(Options.Create(new NpmOptions { Directory = npmDirectory }), NullLogger<NpmPackages>.Instance);
            var dependencies = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["pg"] = "^8.11.0" };
            var install = await npm.EnsureAsync(dependencies, cancellation);
            Assert.True(install.Directory is not null, $"npm install pg failed (the npm registry must be reachable): {install.Error}");

            var egress = new EgressPolicy(new EgressOptions { Allow = [$"127.0.0.1:{postgres.Port.ToString(CultureInfo.InvariantCulture)}"] });
            await using var pool = new WorkerPool(
                Options.Create(new WorkerRuntimeOptions { Interpreter = NodeLauncher.DefaultProgram, WarmWorkers = 1 }),
                NullLogger<WorkerPool>.Instance,
                egress,
                new NodeLauncher(npmDirectory));
            var spec = new FunctionSpec
            {
                Runtime = FunctionRuntimes.NodeJs,
                Isolation = FunctionIsolations.Process,
                TimeoutSeconds = 30,
                Dependencies = dependencies.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Code = """
                    const { Client } = require('pg');
                    module.exports = async (event) => {
                      const client = new Client({ host: '127.0.0.1', port: event.port, user: event.user, password: event.password, database: 'postgres' });
                      await client.connect();
                      const r = await client.query('SELECT $1::int + 1 AS answer, current_user AS who', [41]);
                      await client.end();
                      let refused;
                      try {
                        const other = new Client({ host: '127.0.0.1', port: event.port + 1, user: 'x', password: 'x', database: 'x' });
                        await other.connect();
                        refused = 'connected';
                      } catch (e) { refused = e.message; }
                      return { answer: r.rows[0].answer, who: r.rows[0].who, refused };
                    };
                    """,
            };
            var now = DateTimeOffset.UtcNow;
            await using var function = new NodeProcessFunction(new FunctionDefinition(new FunctionId("acme", "shop", "pg"), spec, 1, now, now), pool, new FunctionLimits(), NullLogger.Instance, packagesRoot: install.Directory);
            var request = $$"""{"port":{{postgres.Port}},"user":"{{PostgresServer.User}}","password":"{{PostgresServer.Password}}"}""";

            var result = await function.InvokeAsync(InvocationRequest.Json(request), cancellationToken: cancellation);

            var text = Encoding.UTF8.GetString(result.Body.Span);
            Assert.True(result.StatusCode == 200, $"{result.StatusCode}: {text} {string.Join(" | ", result.Logs.Select(l => l.Message))}");
            Assert.Contains("\"answer\":42", text, StringComparison.Ordinal);
            Assert.Contains($"\"who\":\"{PostgresServer.User}\"", text, StringComparison.Ordinal);
            Assert.Contains("egress policy", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(npmDirectory, recursive: true);
        }
    }
}
