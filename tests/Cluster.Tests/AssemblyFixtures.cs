using Granary.Cluster.Tests.Infrastructure;

// One server of each kind for the whole run; tests share them and take a database (or key prefix) each.
[assembly: AssemblyFixture(typeof(RedisServer))]
[assembly: AssemblyFixture(typeof(PostgresServer))]
[assembly: AssemblyFixture(typeof(MariaDbServer))]
