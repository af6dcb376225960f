// A Granary silo without the HTTP API: it hosts function grains for Orleans clients and answers
// health checks. The gateway (src/Gateway) embeds the same silo by default.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddSeedEnvironment();
if (builder.Configuration["urls"] is null && builder.Configuration["PORT"] is null)
{
    builder.WebHost.UseUrls("http://localhost:8081");
}

builder.UseOrleans(silo => silo.AddGranary(builder.Configuration));

var app = builder.Build();
app.MapGranaryHealth();
app.Run();
