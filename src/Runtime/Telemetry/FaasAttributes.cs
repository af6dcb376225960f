namespace Granary.Runtime.Telemetry;

/// <summary>
/// The span attributes Granary sets: the OpenTelemetry FaaS semantic conventions' (<c>faas.*</c>) and Granary's own
/// (<c>granary.*</c>).
/// </summary>
public static class FaasAttributes
{
    /// <summary>The invocation's id (the <c>X-Granary-Invocation-Id</c> response header).</summary>
    public const string InvocationId = "faas.invocation_id";

    /// <summary>Whether the invocation waited for the function to load.</summary>
    public const string ColdStart = "faas.coldstart";

    /// <summary>What triggered the invocation: <c>http</c>, or <c>pubsub</c> for an event (CloudEvent) function.</summary>
    public const string Trigger = "faas.trigger";

    /// <summary>The function's name.</summary>
    public const string Name = "faas.name";

    /// <summary>The function's version.</summary>
    public const string Version = "faas.version";

    /// <summary>The memory the function may use, in bytes.</summary>
    public const string MaxMemory = "faas.max_memory";

    /// <summary>The name of the function a client span calls.</summary>
    public const string InvokedName = "faas.invoked_name";

    /// <summary>The platform a client span calls.</summary>
    public const string InvokedProvider = "faas.invoked_provider";

    /// <summary>The tenant that owns the function.</summary>
    public const string Tenant = "granary.tenant";

    /// <summary>The workspace of the function.</summary>
    public const string Workspace = "granary.workspace";

    /// <summary>The outcome of the invocation (see <c>InvocationOutcomes</c>).</summary>
    public const string Outcome = "granary.outcome";

    /// <summary>The function instance (shard) that served the invocation.</summary>
    public const string Shard = "granary.shard";

    /// <summary>The trigger of an HTTP call.</summary>
    public const string HttpTrigger = "http";

    /// <summary>The trigger of an event (CloudEvent) call.</summary>
    public const string PubSubTrigger = "pubsub";
}
