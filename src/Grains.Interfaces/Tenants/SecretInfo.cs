namespace Granary.Tenants;

/// <summary>A secret as listings show it: its name and times, never its value.</summary>
/// <param name="Name">The secret's name, which is also the environment variable a function sees.</param>
/// <param name="CreatedAt">When it was first set.</param>
/// <param name="UpdatedAt">When its value last changed.</param>
[GenerateSerializer, Immutable, Alias("granary.SecretInfo")]
public sealed record SecretInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset UpdatedAt);
