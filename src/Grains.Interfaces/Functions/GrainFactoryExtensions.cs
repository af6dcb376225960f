namespace Granary.Functions;

/// <summary>Shortcuts for reaching a function's grains from an Orleans client or another grain.</summary>
public static class GrainFactoryExtensions
{
    /// <summary>Gets the grain that runs the function.</summary>
    public static IFunctionGrain GetFunction(this IGrainFactory factory, FunctionId id)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IFunctionGrain>(id.Key);
    }

    /// <summary>Gets the grain that owns the function's definition, history and status.</summary>
    public static IFunctionDefinitionGrain GetFunctionDefinition(this IGrainFactory factory, FunctionId id)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IFunctionDefinitionGrain>(id.Key);
    }
}
