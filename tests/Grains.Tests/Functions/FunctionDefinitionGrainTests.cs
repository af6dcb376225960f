using System.Collections.Immutable;
using Granary.Functions;
using Granary.Storage;

namespace Granary.Grains.Tests.Functions;

/// <summary>
/// The definition grain while a deployment installs its packages (held at the fixture's local registry): reads answer
/// at once and later deployments wait their turn. And when its storage fails a write: the caller gets the storage
/// error, and the grain, its activations and storage keep the version they had.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionDefinitionGrainTests(ClusterFixture fixture)
{
    private static FunctionId NewId() => new(ClusterFixture.Tenant, "definitions", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private static FunctionSpec Spec(string code) => new() { Runtime = FunctionRuntimes.NodeJs, Code = code };

    [Fact]
    public async Task ReadsAnswerWhileADeploymentInstallsItsPackagesAndTheNextDeploymentWaitsItsTurn()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 'v1';"));
        await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        DeployResult installing;
        Task<DeployResult> next;
        using (var hold = fixture.Registry.HoldRequests())
        {
            var deploy = definition.DeployAsync(Spec("const pad = require('left-pad'); module.exports = () => pad('v2', 4);") with
            {
                Dependencies = ImmutableSortedDictionary<string, string>.Empty.Add("left-pad", "1.3.0"),
            });
            await hold.Requested.Task.WaitAsync(TimeSpan.FromSeconds(60));
            next = definition.DeployAsync(Spec("module.exports = () => 'v3';"));
            var nextAfterInstalling = next.ContinueWith(_ => deploy.IsCompleted, TaskScheduler.Default);

            // npm is waiting for the registry: the deployment cannot have finished, and the reads must not wait for it.
            var info = await definition.GetAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var records = await definition.GetInvocationsAsync(10).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(deploy.IsCompleted);
            Assert.Equal(1, info!.Definition.Version);
            Assert.Equal(FunctionState.Running, info.Status.State);
            Assert.Single(records);

            hold.Release();
            installing = await deploy;
            Assert.True(await nextAfterInstalling, "The deployment that arrived second finished before the first.");
        }

        Assert.Equal(DeployOutcome.Rejected, installing.Outcome);
        Assert.Equal(CodeErrorKinds.Dependencies, installing.Error!.Kind);
        Assert.Contains("E404", installing.Error.Message, StringComparison.Ordinal);
        var stored = await next;
        Assert.Equal((DeployOutcome.Updated, 2), (stored.Outcome, stored.Definition!.Version));
        Assert.Equal("v3", (await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest())).BodyText);
    }

    [Fact]
    public async Task ADeploymentStorageRefusesFailsWithTheStorageErrorAndChangesNothing()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        var grain = GrainId.Create("fndef", id.Key);
        await definition.DeployAsync(Spec("module.exports = () => 'v1';"));
        await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        fixture.Faults.FailWritesOf(grain);
        StorageUnavailableException refused;
        FunctionInfo? during;
        string servedDuring;
        try
        {
            refused = await Assert.ThrowsAsync<StorageUnavailableException>(() => definition.DeployAsync(Spec("module.exports = () => 'v2';")));
            during = await definition.GetAsync();
            servedDuring = (await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest())).BodyText;
        }
        finally
        {
            fixture.Faults.Heal(grain);
        }

        Assert.Contains("could not write the definition state", refused.Message, StringComparison.Ordinal);
        Assert.Equal((1, "module.exports = () => 'v1';"), (during!.Definition.Version, during.Definition.Spec.Code));
        Assert.Equal("v1", servedDuring);

        // What storage holds agrees, and the refused version used up no version number.
        await fixture.Cluster.DeactivateAsync(definition);
        Assert.Equal(1, (await definition.GetAsync())!.Definition.Version);
        var next = await definition.DeployAsync(Spec("module.exports = () => 'v2 again';"));
        Assert.Equal((DeployOutcome.Updated, 2), (next.Outcome, next.Definition!.Version));
    }

    [Fact]
    public async Task ADeletionStorageRefusesFailsWithTheStorageErrorAndTheFunctionStays()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        var grain = GrainId.Create("fndef", id.Key);
        await definition.DeployAsync(Spec("module.exports = () => 'kept';"));

        fixture.Faults.FailWritesOf(grain);
        try
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(definition.DeleteAsync);
            Assert.NotNull(await definition.GetAsync());
        }
        finally
        {
            fixture.Faults.Heal(grain);
        }

        await fixture.Cluster.DeactivateAsync(definition);
        Assert.Equal("kept", (await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest())).BodyText);
        Assert.Contains(id.Name, await fixture.Client.GetWorkspace(id.Tenant, id.Workspace).GetFunctionNamesAsync());
    }

    [Fact]
    public async Task RecordsOfTheFunctionBeforeADeletionHandedInAfterItIsDeployedAgainAreNotItsHistory()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 'first life';"));
        var old = Record(id, 1, DateTimeOffset.UtcNow);
        Assert.True(await definition.DeleteAsync());
        await Task.Delay(20);
        var again = await definition.DeployAsync(Spec("module.exports = () => 'second life';"));

        // An activation of the deleted function detaches late, after the name was deployed again.
        var now = Record(id, again.Definition!.Version, DateTimeOffset.UtcNow);
        await definition.DetachAsync("an activation of the deleted function", [old]);
        await definition.DetachAsync("an activation of the function now", [now]);

        Assert.Equal([now.Id], (await definition.GetInvocationsAsync(10)).Select(r => r.Id));
    }

    private static InvocationRecord Record(FunctionId id, int version, DateTimeOffset startedAt) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        Function = id.Key,
        Version = version,
        StartedAt = startedAt,
        StatusCode = 200,
        Outcome = InvocationOutcomes.Ok,
    };
}
