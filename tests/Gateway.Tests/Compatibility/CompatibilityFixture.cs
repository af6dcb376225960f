using System.Globalization;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;
using Granary.Gateway.Tests.Sandbox;

namespace Granary.Gateway.Tests.Compatibility;

/// <summary>
/// The compatibility suite's world, started once for the class: PostgreSQL, MariaDB and redis-server (Cluster.Tests'
/// fixtures) and an HTTP server on free loopback ports, and one gateway whose egress policy allows exactly those four
/// (<c>Granary:Egress:Allow</c>); <see cref="Forbidden"/> listens on loopback too, but the policy does not name it.
/// </summary>
public sealed class CompatibilityFixture : IAsyncLifetime
{
    /// <summary>Gets the gateway (with its embedded silo) every family deploys to.</summary>
    public GranaryServer Server { get; private set; } = null!;

    /// <summary>Gets the PostgreSQL server of the <c>pg</c> family.</summary>
    public PostgresServer Postgres { get; } = new();

    /// <summary>Gets the MariaDB server of the <c>mysql2</c> family.</summary>
    public MariaDbServer MariaDb { get; } = new();

    /// <summary>Gets the redis-server of the <c>ioredis</c> family.</summary>
    public RedisServer Redis { get; } = new();

    /// <summary>Gets the HTTP server the HTTP clients call (<c>/json</c> answers the <c>X-Probe</c> header it got).</summary>
    public TestServer Http { get; private set; } = null!;

    /// <summary>Gets a loopback server no function may reach: every family's attacker line aims at it.</summary>
    public TestServer Forbidden { get; private set; } = null!;

    /// <summary>Gets the event every function is called with: where the servers are and how to log in.</summary>
    public string Event { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // Started side by side: MariaDB's first start alone takes seconds.
        var http = TestServer.StartAsync();
        var forbidden = TestServer.StartAsync();
        await Task.WhenAll(Postgres.StartAsync(), MariaDb.StartAsync(), Redis.StartAsync(), http, forbidden);
        Http = await http;
        Forbidden = await forbidden;
        Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Granary:Egress:Allow:0"] = Loopback(Http.Port),
            ["Granary:Egress:Allow:1"] = Loopback(Postgres.Port),
            ["Granary:Egress:Allow:2"] = Loopback(MariaDb.Port),
            ["Granary:Egress:Allow:3"] = Loopback(Redis.Port),
        });
        Event = JsonSerializer.Serialize(new
        {
            http = Http.Port,
            refused = Forbidden.Port,
            pg = new { host = "127.0.0.1", port = Postgres.Port, user = PostgresServer.User, password = PostgresServer.Password, database = PostgresServer.DefaultDatabase },
            mysql = new { host = "127.0.0.1", port = MariaDb.Port, user = MariaDbServer.User, password = MariaDbServer.Password, database = MariaDbServer.DefaultDatabase },
            redis = new { host = "127.0.0.1", port = Redis.Port },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Task.WhenAll(Postgres.DisposeAsync().AsTask(), MariaDb.DisposeAsync().AsTask(), Redis.DisposeAsync().AsTask());
        await Http.DisposeAsync();
        await Forbidden.DisposeAsync();
    }

    private static string Loopback(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
}
