namespace Granary.Functions;

/// <summary>Where a function is in its scale-to-zero life cycle.</summary>
[GenerateSerializer, Alias("granary.FunctionState")]
public enum FunctionState
{
    /// <summary>No activation: the function uses no memory and no isolate.</summary>
    Idle,

    /// <summary>An activation is loading the code; requests wait for it.</summary>
    Activating,

    /// <summary>At least one activation is ready and serving.</summary>
    Running,
}
