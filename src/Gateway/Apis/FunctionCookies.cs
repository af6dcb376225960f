using System.Text;

namespace Granary.Gateway.Apis;

/// <summary>
/// Confines the cookies a function sets to its own URL: a <c>Domain</c> attribute is removed (a cookie never reaches
/// other hosts, such as other functions' hosts under a shared domain) and a <c>Path</c> outside the function's path is
/// replaced by it (a function on <c>/fn/t/w/n</c> cannot plant <c>admin=1; Path=/api</c>).
/// </summary>
internal static class FunctionCookies
{
    /// <summary>Rewrites one <c>Set-Cookie</c> value; <paramref name="functionPath"/> null leaves it as it is.</summary>
    public static string Scope(string setCookie, string? functionPath)
    {
        if (functionPath is null)
        {
            return setCookie;
        }

        var parts = setCookie.Split(';');
        var result = new StringBuilder(parts[0].Trim());
        var hasPath = false;
        for (var i = 1; i < parts.Length; i++)
        {
            var attribute = parts[i].Trim();
            if (attribute.Length == 0)
            {
                continue;
            }

            var eq = attribute.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? attribute : attribute[..eq]).Trim();
            if (name.Equals("Domain", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.Equals("Path", StringComparison.OrdinalIgnoreCase))
            {
                var value = eq < 0 ? "" : attribute[(eq + 1)..].Trim();
                hasPath = true;
                result.Append("; Path=").Append(Within(value, functionPath) ? value : functionPath);
                continue;
            }

            result.Append("; ").Append(attribute);
        }

        if (!hasPath && functionPath != "/")
        {
            // Without a Path the browser scopes the cookie to the request's directory, which for the function's own
            // URL (/fn/t/w/n) is /fn/t/w: outside it.
            result.Append("; Path=").Append(functionPath);
        }

        return result.ToString();
    }

    private static bool Within(string path, string functionPath) =>
        functionPath == "/"
            ? path.StartsWith('/')
            : path == functionPath || path.StartsWith(functionPath + "/", StringComparison.Ordinal);
}
