// A Granary silo without the HTTP API: it hosts function grains for gateways and other Orleans clients and
// answers health checks. The gateway (src/Gateway) embeds the same silo by default.
// `Granary.Silo db migrate` creates the database tables of the adonet storage and exits.
if (args is ["db", "migrate", ..])
{
    return await Granary.Silo.Hosting.MigrateCommand.RunAsync(args[2..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCustomCodeEnvironment().AddGranaryLoggingDefaults();
if (builder.Configuration["urls"] is null && builder.Configuration["PORT"] is null)
{
    builder.WebHost.UseUrls("http://localhost:8081");
}

builder.UseOrleans(silo => silo.AddGranary(builder.Configuration));

var app = builder.Build();
app.MapGranaryHealth();
app.MapGranarySiloMetrics();
await app.RunAsync();
return 0;
