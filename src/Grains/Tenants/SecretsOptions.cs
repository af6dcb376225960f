using System.ComponentModel.DataAnnotations;

namespace Granary.Tenants;

/// <summary>
/// How tenant secrets are encrypted at rest (configuration section <c>Granary:Secrets</c>): AES-256-GCM with a master
/// key the operator holds.
/// </summary>
public sealed class SecretsOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Secrets";

    /// <summary>The file, under the storage path, of the master key an embedded host generates for itself.</summary>
    public const string KeyFileName = "secrets.key";

    /// <summary>
    /// Gets or sets the master key: 32 random bytes in base64 (<c>openssl rand -base64 32</c>). Required in a cluster,
    /// where every silo must have the same one. Unset on an embedded host, one is generated at the first start and
    /// kept in <c>{Granary:Storage:Path}/secrets.key</c> (mode 0600).
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// Gets or sets earlier master keys (comma-separated, base64), so that secrets written under them still decrypt
    /// after a rotation; each is re-encrypted under <see cref="MasterKey"/> when its tenant next loads.
    /// </summary>
    public string? PreviousMasterKeys { get; set; }

    /// <summary>Gets the keys of <see cref="PreviousMasterKeys"/>.</summary>
    public IEnumerable<string> PreviousKeyList() =>
        (PreviousMasterKeys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(MasterKey) && SecretProtector.ParseKey(MasterKey) is null)
        {
            yield return new ValidationResult("The master key must be 32 bytes in base64 (for example the output of 'openssl rand -base64 32').", [nameof(MasterKey)]);
        }

        foreach (var key in PreviousKeyList())
        {
            if (SecretProtector.ParseKey(key) is null)
            {
                yield return new ValidationResult("Each previous master key must be 32 bytes in base64.", [nameof(PreviousMasterKeys)]);
                yield break;
            }
        }
    }
}
