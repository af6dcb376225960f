using Granary.Cluster.Tests.Infrastructure;
using StackExchange.Redis;

namespace Granary.Cluster.Tests;

/// <summary>The Redis fixture itself: restarts keep the port and the data, and clients reconnect on their own.</summary>
public sealed class RedisServerTests(RedisServer shared)
{
    [Fact]
    public async Task SharedServerAnswersOnItsConnectionString()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(shared.ConnectionString);

        Assert.True(await redis.GetDatabase().PingAsync() >= TimeSpan.Zero);
        Assert.Equal($"127.0.0.1:{shared.Port}", shared.ConnectionString);
    }

    [Fact]
    public async Task RestartKeepsThePortAndTheDataAndTheClientReconnects()
    {
        // A server of its own: restarting the shared one would disturb tests running in parallel.
        await using var server = new RedisServer();
        await server.StartAsync();
        var port = server.Port;
        var options = ConfigurationOptions.Parse(server.ConnectionString);
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new LinearRetry(100);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var database = redis.GetDatabase();
        await database.StringSetAsync("restart-key", "before");

        await server.RestartAsync();

        Assert.Equal(port, server.Port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        RedisValue value;
        while (true)
        {
            try
            {
                value = await database.StringGetAsync("restart-key");
                break;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal("before", value.ToString());
        Assert.True(redis.IsConnected);
    }
}
