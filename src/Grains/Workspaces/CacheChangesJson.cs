using System.Collections.Immutable;
using System.Text.Json;

namespace Granary.Workspaces;

/// <summary>Reads the changes a snippet run reports: <c>{"set": {key: "value as JSON"}, "deleted": [key]}</c>.</summary>
internal static class CacheChangesJson
{
    public static CacheChanges Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var set = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var deleted = ImmutableArray.CreateBuilder<string>();
        if (document.RootElement.TryGetProperty("set", out var values))
        {
            foreach (var property in values.EnumerateObject())
            {
                set[property.Name] = property.Value.GetString()!;
            }
        }

        if (document.RootElement.TryGetProperty("deleted", out var keys))
        {
            foreach (var key in keys.EnumerateArray())
            {
                deleted.Add(key.GetString()!);
            }
        }

        return new CacheChanges(set.ToImmutable(), deleted.ToImmutable());
    }
}
