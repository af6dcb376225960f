namespace Granary.Functions;

/// <summary>
/// The identity of a function: the tenant that owns it, the workspace that groups it and its name.
/// Its <see cref="Key"/> (<c>tenant/workspace/name</c>) is the primary key of every per-function grain.
/// </summary>
/// <param name="Tenant">The tenant, <c>[a-z0-9][a-z0-9-]{0,39}</c>.</param>
/// <param name="Workspace">The workspace, <c>[a-z0-9][a-z0-9-]{0,39}</c>.</param>
/// <param name="Name">The function name, <c>[A-Za-z][A-Za-z0-9_-]{0,62}</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionId")]
public readonly record struct FunctionId(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Workspace,
    [property: Id(2)] string Name)
{
    /// <summary>Gets the grain key, <c>tenant/workspace/name</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{Tenant}/{Workspace}/{Name}";

    /// <summary>Parses a grain key made by <see cref="Key"/>.</summary>
    /// <exception cref="FormatException">The key does not have three non-empty parts.</exception>
    public static FunctionId Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
        {
            throw new FormatException($"'{key}' is not a function key of the form tenant/workspace/name.");
        }

        return new FunctionId(parts[0], parts[1], parts[2]);
    }

    /// <summary>
    /// Gets the key of one of the function's grain activations: shard 0 is <see cref="Key"/>; shard n is
    /// <c>tenant/workspace/name#n</c>. Several shards let one function run activations on several silos.
    /// </summary>
    public string GrainKey(int shard) => shard == 0 ? Key : $"{Key}#{shard.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Parses a key made by <see cref="GrainKey"/> into the function and its shard.</summary>
    public static (FunctionId Id, int Shard) ParseGrainKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = key.LastIndexOf('#');
        if (hash < 0)
        {
            return (Parse(key), 0);
        }

        if (!int.TryParse(key.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shard))
        {
            throw new FormatException($"'{key}' has no valid shard number after '#'.");
        }

        return (Parse(key[..hash]), shard);
    }

    /// <inheritdoc />
    public override string ToString() => Key;
}
