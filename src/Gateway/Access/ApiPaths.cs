namespace Granary.Gateway.Access;

/// <summary>Which of the gateway's APIs a request's path is for: keys, JSON bodies and problem pages apply to them only.</summary>
internal static class ApiPaths
{
    /// <summary>Gets whether a path is the Custom Code API's (<c>/v2/…</c>).</summary>
    public static bool IsCustomCode(PathString path) => path.StartsWithSegments("/v2", StringComparison.Ordinal);

    /// <summary>Gets whether a path is the management (<c>/api/…</c>) or the Custom Code API's.</summary>
    public static bool IsApi(PathString path) => path.StartsWithSegments("/api", StringComparison.Ordinal) || IsCustomCode(path);

    /// <summary>Gets whether a request is for the management or the Custom Code API.</summary>
    public static bool IsApi(HttpContext context) => IsApi(context.Request.Path);
}
