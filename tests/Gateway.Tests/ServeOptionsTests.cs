using Granary.Gateway.Serve;

namespace Granary.Gateway.Tests;

/// <summary>Single-function mode settings: a flag wins over its environment variable, and both have defaults.</summary>
public sealed class ServeOptionsTests
{
    [Fact]
    public void FlagsWinOverEnvironmentVariables()
    {
        var env = new Dictionary<string, string> { ["PORT"] = "9000", ["FUNCTION_TARGET"] = "fromEnv", ["FUNCTION_SIGNATURE_TYPE"] = "event", ["FUNCTION_SOURCE"] = "env.js" };

        var (options, error) = ServeOptions.Parse(["--target", "fromFlag", "--port=9100", "--source", "flag.js"], k => env.GetValueOrDefault(k));

        Assert.Null(error);
        Assert.Equal("fromFlag", options!.Target);
        Assert.Equal(9100, options.Port);
        Assert.Equal("event", options.Signature);
        Assert.EndsWith("flag.js", options.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultsFollowTheFunctionsFramework()
    {
        var (options, _) = ServeOptions.Parse([], _ => null);

        Assert.Equal("function", options!.Target);
        Assert.Equal("http", options.Signature);
        Assert.Equal(8080, options.Port);
        Assert.EndsWith("index.js", options.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--signature-type", "lambda", "Unsupported signature type")]
    [InlineData("--port", "0", "port")]
    [InlineData("--colour", "red", "Unknown flag")]
    public void BadSettingsAreRefusedWithAReason(string flag, string value, string message)
    {
        var (options, error) = ServeOptions.Parse([flag, value], _ => null);

        Assert.Null(options);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
