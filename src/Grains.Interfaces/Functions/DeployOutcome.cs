namespace Granary.Functions;

/// <summary>What a deployment did.</summary>
[GenerateSerializer, Alias("granary.DeployOutcome")]
public enum DeployOutcome
{
    /// <summary>The function did not exist and now does (version 1).</summary>
    Created,

    /// <summary>A new version of an existing function now serves.</summary>
    Updated,

    /// <summary>The code was refused; the previous version, if any, keeps serving.</summary>
    Rejected,
}
