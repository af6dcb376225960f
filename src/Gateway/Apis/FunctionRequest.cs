namespace Granary.Gateway.Apis;

/// <summary>The body of <c>PUT …/functions/{name}</c>; every field but runtime and code is optional.</summary>
internal sealed class FunctionRequest
{
    public string? Runtime { get; set; }

    public string? Code { get; set; }

    public string? Handler { get; set; }

    public string? Signature { get; set; }

    public int? TimeoutSeconds { get; set; }

    public int? MemoryLimitMb { get; set; }

    public int? IdleTimeoutSeconds { get; set; }

    public int? MaxConcurrency { get; set; }

    public Dictionary<string, string>? Env { get; set; }

    public Dictionary<string, string>? Dependencies { get; set; }

    public string? Access { get; set; }

    public List<string>? Secrets { get; set; }
}
