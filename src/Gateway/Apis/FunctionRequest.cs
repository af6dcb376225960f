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

    public int? MaxInstances { get; set; }

    public Dictionary<string, string>? Env { get; set; }

    public Dictionary<string, string>? Dependencies { get; set; }

    /// <summary>pip requirements: a list of requirement lines, or the text of a <c>requirements.txt</c>.</summary>
    public System.Text.Json.JsonElement? Requirements { get; set; }

    public string? Access { get; set; }

    public List<string>? Secrets { get; set; }

    public SecurityHeadersRequest? SecurityHeaders { get; set; }

    public string? Isolation { get; set; }

    public string? Module { get; set; }
}

/// <summary>The <c>securityHeaders</c> object of a function body; an absent field keeps its default.</summary>
internal sealed class SecurityHeadersRequest
{
    public bool? Hsts { get; set; }

    public bool? Csp { get; set; }

    public List<string>? CspAllowlist { get; set; }

    public bool? ContentTypeOptions { get; set; }

    public string? FrameOptions { get; set; }

    public string? ReferrerPolicy { get; set; }

    public Granary.Functions.SecurityHeaders ToSpec()
    {
        var defaults = Granary.Functions.SecurityHeaders.Default;
        return defaults with
        {
            Hsts = Hsts ?? defaults.Hsts,
            Csp = Csp ?? defaults.Csp,
            CspAllowlist = CspAllowlist is null ? defaults.CspAllowlist : [.. CspAllowlist],
            ContentTypeOptions = ContentTypeOptions ?? defaults.ContentTypeOptions,
            FrameOptions = FrameOptions ?? defaults.FrameOptions,
            ReferrerPolicy = ReferrerPolicy ?? defaults.ReferrerPolicy,
        };
    }
}
