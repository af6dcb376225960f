namespace Granary;

/// <summary>The grain storage provider every Granary grain keeps its state in.</summary>
public static class GranaryStorage
{
    /// <summary>The provider name registered on the silo.</summary>
    public const string Name = "granary";
}
