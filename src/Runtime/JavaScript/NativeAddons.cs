namespace Granary.Runtime.JavaScript;

/// <summary>
/// The native addons (<c>.node</c> files: compiled code for Node's own ABI) in an installed npm set, which an isolate
/// cannot load: only process mode runs them. A deploy whose module fails to load with such a set says so.
/// </summary>
internal static class NativeAddons
{
    private const int Listed = 3;

    /// <summary>
    /// Gets the packages of the set under <paramref name="packagesRoot"/> that hold a native addon, each as
    /// "<c>package</c> (<c>file</c>)", at most three; empty when there is no set or it is pure JavaScript.
    /// </summary>
    public static IReadOnlyList<string> Find(string? packagesRoot)
    {
        var modules = packagesRoot is null ? null : Path.Combine(packagesRoot, "node_modules");
        if (modules is null || !Directory.Exists(modules))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(modules, "*.node", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            var relative = Path.GetRelativePath(modules, file).Replace('\\', '/');
            found.Add($"'{PackageOf(relative)}' ({relative})");
            if (found.Count == Listed)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>The message of a load that failed in the isolate with native addons in the function's set.</summary>
    public static string Explain(IReadOnlyList<string> addons, string loadError) =>
        $"The function's dependencies include a native addon, which the isolate runtime cannot load (it runs pure JavaScript packages only): {string.Join(", ", addons)}. "
        + "Deploy the function with \"isolation\": \"process\", which runs it in real Node.js. The module failed to load with: " + loadError;

    // The package a file belongs to: the last node_modules/<name> or node_modules/@scope/<name> on its path.
    private static string PackageOf(string relative)
    {
        var parts = relative.Split('/');
        var start = 0;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parts[i] == "node_modules")
            {
                start = i + 1;
            }
        }

        return parts[start].StartsWith('@') && start + 1 < parts.Length - 1 ? parts[start] + "/" + parts[start + 1] : parts[start];
    }
}
