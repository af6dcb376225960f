// Granary: the HTTP gateway with an embedded silo, the single-process default.
var builder = WebApplication.CreateBuilder(args);
builder.AddGranaryGateway();

var app = builder.Build();
app.MapGranaryGateway();
app.Run();

/// <summary>The gateway's entry point, public so that tests can start it.</summary>
public partial class Program;
