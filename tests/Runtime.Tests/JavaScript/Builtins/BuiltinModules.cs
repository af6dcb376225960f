namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// The built-in module tests, one class per module, share one warm isolate pool as a silo shares one. A collection
/// runs its classes one after another, as the single class they were split from ran its tests.
/// </summary>
[CollectionDefinition(nameof(BuiltinModules))]
public sealed class BuiltinModules : ICollectionFixture<IsolatePoolFixture>;
