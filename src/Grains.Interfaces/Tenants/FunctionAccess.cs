namespace Granary.Tenants;

/// <summary>Who may invoke a function (its <c>access</c> field), or run a workspace's Custom Code snippets.</summary>
public static class FunctionAccess
{
    /// <summary>Anyone who reaches the function's URL (the default for functions, as Skipper and Kyma give every function a public URL).</summary>
    public const string Public = "public";

    /// <summary>Only callers with a key of the function's tenant that may invoke (any role).</summary>
    public const string Key = "key";

    /// <summary>Gets every access value.</summary>
    public static IReadOnlyList<string> All { get; } = [Public, Key];
}
