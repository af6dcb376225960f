namespace Granary.Tenants;

/// <summary>The persisted settings of a tenant: whether it exists, its quotas, keys and secrets.</summary>
public sealed class TenantState
{
    /// <summary>Gets or sets whether the tenant exists.</summary>
    public bool Exists { get; set; }

    /// <summary>Gets or sets whether the tenant was deleted (so that <c>default</c> is not made again).</summary>
    public bool Deleted { get; set; }

    /// <summary>Gets or sets when the tenant was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets when its settings last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets the quotas set on the tenant (null fields follow the defaults).</summary>
    public TenantQuotas Quotas { get; set; } = new();

    /// <summary>Gets or sets the tenant's keys (hashes only).</summary>
    public List<StoredKey> Keys { get; set; } = [];

    /// <summary>Gets or sets the tenant's secrets, encrypted, by name.</summary>
    public SortedDictionary<string, StoredSecret> Secrets { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A stored API key.</summary>
public sealed class StoredKey
{
    /// <summary>Gets or sets the key id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the role.</summary>
    public string Role { get; set; } = "";

    /// <summary>Gets or sets the name its creator gave it.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets SHA-256 of the key.</summary>
    public byte[] Hash { get; set; } = [];

    /// <summary>Gets or sets when it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets the prefix of the key that created it.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>Gets or sets when it stops working, if it was given an end.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>A stored secret: its value encrypted by <see cref="SecretProtector"/>.</summary>
public sealed class StoredSecret
{
    /// <summary>Gets or sets the encrypted value.</summary>
    public string Value { get; set; } = "";

    /// <summary>Gets or sets when it was first set.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets when its value last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The persisted index of a tenant's functions and workspaces (it changes with every deployment, the settings rarely).</summary>
public sealed class TenantIndexState
{
    /// <summary>Gets or sets the functions, by <c>workspace/name</c>.</summary>
    public SortedDictionary<string, IndexedFunction> Functions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the workspaces that have settings or Custom Code snippets, by name.</summary>
    public SortedDictionary<string, IndexedWorkspace> Workspaces { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>What the tenant keeps of one of its functions.</summary>
public sealed class IndexedFunction
{
    /// <summary>Gets or sets who may invoke it.</summary>
    public string Access { get; set; } = FunctionAccess.Public;

    /// <summary>Gets or sets the secrets it reads.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>Gets or sets its npm dependency set, if any.</summary>
    public string? DependencySet { get; set; }
}

/// <summary>What the tenant keeps of one of its workspaces beyond its functions.</summary>
public sealed class IndexedWorkspace
{
    /// <summary>Gets or sets who may run its Custom Code snippets (<c>key</c> unless set).</summary>
    public string Access { get; set; } = FunctionAccess.Key;

    /// <summary>Gets or sets whether it holds Custom Code snippets.</summary>
    public bool Snippets { get; set; }

    /// <summary>Gets or sets the npm dependency set of its snippets, if any.</summary>
    public string? DependencySet { get; set; }

    /// <summary>Gets or sets whether it was created with <c>PUT …/workspaces/{name}</c> (it stays when its snippets go).</summary>
    public bool Explicit { get; set; }
}
