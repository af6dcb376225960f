using System.ComponentModel.DataAnnotations;

namespace Granary.Silo.Storage;

/// <summary>
/// Where grain state lives (configuration section <c>Granary:Storage</c>): files in a directory (the single-process
/// default) or a PostgreSQL or MySQL/MariaDB database through Orleans' ADO.NET storage (a cluster).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Storage";

    /// <summary>The <see cref="Provider"/> that keeps state in files under <see cref="Path"/>.</summary>
    public const string FileProvider = "file";

    /// <summary>The <see cref="Provider"/> that keeps state in a database (<see cref="Database"/>).</summary>
    public const string AdoNetProvider = "adonet";

    /// <summary>The <see cref="Database"/> value for PostgreSQL (Npgsql).</summary>
    public const string Postgres = "postgres";

    /// <summary>The <see cref="Database"/> value for MySQL and MariaDB (MySqlConnector).</summary>
    public const string MySql = "mysql";

    /// <summary>Gets or sets the storage provider: <c>file</c> (default) or <c>adonet</c>.</summary>
    public string Provider { get; set; } = FileProvider;

    /// <summary>
    /// Gets or sets the directory that holds all grain state with the <c>file</c> provider, and the npm packages
    /// with either; relative paths are resolved against the current directory. The layout is
    /// <c>{Path}/{grain type}/{key…}/{state}.json</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data";

    /// <summary>Gets or sets the database of the <c>adonet</c> provider: <c>postgres</c> or <c>mysql</c>.</summary>
    public string? Database { get; set; }

    /// <summary>
    /// Gets or sets the connection string of the <c>adonet</c> provider, in Npgsql's or MySqlConnector's syntax
    /// (<c>Host=db;Database=granary;Username=granary;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets whether a silo creates the tables Orleans needs when they are missing, at start-up (default true).
    /// Several silos may start together: one applies the schema under a database lock, the others wait for it.
    /// Turn it off when silos have no right to create tables and <c>Granary.Silo db migrate</c> runs as a deployment step.
    /// </summary>
    public bool ApplySchema { get; set; } = true;

    /// <summary>Gets a value indicating whether state is kept in a database.</summary>
    public bool IsAdoNet => string.Equals(Provider, AdoNetProvider, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Provider, FileProvider, StringComparison.OrdinalIgnoreCase) && !IsAdoNet)
        {
            yield return new ValidationResult($"'{Provider}' is not a storage provider; use '{FileProvider}' or '{AdoNetProvider}'.", [nameof(Provider)]);
        }

        if (!IsAdoNet)
        {
            yield break;
        }

        if (!string.Equals(Database, Postgres, StringComparison.OrdinalIgnoreCase) && !string.Equals(Database, MySql, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"'{Database}' is not a supported database; the adonet provider needs '{Postgres}' or '{MySql}'.", [nameof(Database)]);
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("The adonet provider needs a connection string.", [nameof(ConnectionString)]);
        }
    }
}
