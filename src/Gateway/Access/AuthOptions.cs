using System.ComponentModel.DataAnnotations;

namespace Granary.Gateway.Access;

/// <summary>How the API authenticates callers (configuration section <c>Granary:Auth</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Auth";

    /// <summary>The shortest admin key accepted.</summary>
    public const int MinAdminKeyLength = 32;

    /// <summary>The file, under the storage path, that an embedded host writes its generated admin key to.</summary>
    public const string AdminKeyFileName = "admin.key";

    /// <summary>
    /// Gets or sets the admin key (at least 32 characters): it may do everything, including creating tenants. Required
    /// in a cluster (the same on every gateway). Unset on an embedded host, one is generated at the first start, written
    /// to <c>{Granary:Storage:Path}/admin.key</c> (mode 0600) and printed once in the log; later starts reuse it.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Gets or sets how long a gateway uses what it knows of a tenant (its keys, its functions and who may call them)
    /// before it asks again, in ms. A revoked key or a changed access stops working on every gateway within twice this.
    /// </summary>
    [Range(50, 1000)]
    public int RefreshMs { get; set; } = 500;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Empty means unset (an environment variable set to "" clears an inherited value).
        if (AdminKey is { Length: > 0 } key && (key.Trim().Length < MinAdminKeyLength || key.Trim() != key))
        {
            yield return new ValidationResult($"The admin key must be at least {MinAdminKeyLength} characters, without surrounding spaces (for example: openssl rand -base64 32).", [nameof(AdminKey)]);
        }
    }
}
