// Granary: the HTTP gateway with an embedded silo, the single-process default.
// `granary serve …` runs one function file instead (the Functions Framework's single-function mode).
if (args is ["serve", ..])
{
    return await Granary.Gateway.Serve.ServeCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddGranaryGateway();

var app = builder.Build();
app.MapGranaryGateway();
await app.RunAsync();
return 0;

/// <summary>The gateway's entry point, public so that tests can start it.</summary>
public partial class Program;
