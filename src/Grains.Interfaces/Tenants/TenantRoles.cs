namespace Granary.Tenants;

/// <summary>
/// The four roles an API key can have. The names are part of the API (scripts and the CLI use them); see the
/// role matrix in docs/access.md for what each may do.
/// </summary>
public static class TenantRoles
{
    /// <summary>Everything, including creating and deleting tenants. Only the operator's admin key has it.</summary>
    public const string Admin = "admin";

    /// <summary>Everything inside one tenant, including its keys and its audit log.</summary>
    public const string Owner = "owner";

    /// <summary>Deploy, read and delete the functions, workspaces and secrets of one tenant; no key management.</summary>
    public const string Developer = "developer";

    /// <summary>Invoke the tenant's functions whose access is <c>key</c>, and nothing else.</summary>
    public const string Invoker = "invoker";

    /// <summary>
    /// Read the host's metrics (<c>/metrics</c> on every gateway and silo), and nothing else: the key a Prometheus
    /// server holds instead of the admin key. The metrics cover every tenant, so only the admin key creates one (kept
    /// in a tenant of the operator's, for example <c>default</c>).
    /// </summary>
    public const string Metrics = "metrics";

    /// <summary>Gets the roles a tenant key may be created with (every role but <see cref="Admin"/>; <see cref="Metrics"/> by the admin key only).</summary>
    public static IReadOnlyList<string> TenantKeyRoles { get; } = [Owner, Developer, Invoker, Metrics];
}
