using Granary.Functions;

namespace Granary.Grains.Tests.Functions;

/// <summary>The function grains in an Orleans cluster: activation on demand, persistence, programmatic calls (idle deactivation: <c>Functions/FunctionGrainLifecycleTests</c>).</summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionGrainTests(ClusterFixture fixture)
{
    private static FunctionId NewId() => new("acme", "grains", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private static FunctionSpec Spec(string code, int idleTimeoutSeconds = 300) =>
        new() { Runtime = FunctionRuntimes.NodeJs, Code = code, IdleTimeoutSeconds = idleTimeoutSeconds };

    private async Task<bool> IsActiveAsync(FunctionId id)
    {
        var active = await fixture.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("fn"));
        return active.Contains(GrainId.Create("fn", id.Key));
    }

    [Fact]
    public async Task AFunctionGrainActivatesOnItsFirstInvocationOnly()
    {
        var id = NewId();
        var deployed = await fixture.Client.GetFunctionDefinition(id).DeployAsync(Spec("module.exports = () => 'hi';"));
        Assert.Equal(DeployOutcome.Created, deployed.Outcome);
        Assert.False(await IsActiveAsync(id));
        Assert.Equal(FunctionState.Idle, (await fixture.Client.GetFunctionDefinition(id).GetAsync())!.Status.State);

        var response = await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest { Method = "GET" });

        Assert.Equal("hi", response.BodyText);
        Assert.True(await IsActiveAsync(id));
        var status = (await fixture.Client.GetFunctionDefinition(id).GetAsync())!.Status;
        Assert.Equal(FunctionState.Running, status.State);
        Assert.Single(status.Activations);
    }

    [Fact]
    public async Task TheDefinitionSurvivesDeactivationOfItsGrain()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 1;"));
        await definition.DeployAsync(Spec("module.exports = () => 2;") with { TimeoutSeconds = 9 });

        await fixture.Cluster.DeactivateAsync(definition);
        var reloaded = await definition.GetAsync();

        Assert.NotNull(reloaded);
        Assert.Equal(2, reloaded.Definition.Version);
        Assert.Equal(9, reloaded.Definition.Spec.TimeoutSeconds);
        Assert.Equal("module.exports = () => 2;", reloaded.Definition.Spec.Code);
        Assert.True(File.Exists(Path.Combine(fixture.DataPath, "fndef", "acme", "grains", id.Name, "definition.json")));
    }

    [Fact]
    public async Task AProgrammaticCallGetsTheFunctionsResponse()
    {
        var id = NewId();
        await fixture.Client.GetFunctionDefinition(id).DeployAsync(Spec("module.exports = (event, context) => ({ statusCode: 201, headers: { 'X-Id': context.functionName }, body: { twice: event.n * 2 } });"));

        var response = await fixture.Client.GetFunction(id).InvokeAsync(InvocationRequest.Json("{\"n\":21}"));

        Assert.Equal(201, response.StatusCode);
        Assert.Equal(id.Name, response.GetHeader("x-id"));
        Assert.Equal("{\"twice\":42}", response.BodyText);
    }

    [Fact]
    public async Task DeletingAFunctionDeactivatesItAndLaterCallsGet404()
    {
        var id = NewId();
        await fixture.Client.GetFunctionDefinition(id).DeployAsync(Spec("module.exports = () => 'x';"));
        await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        Assert.True(await fixture.Client.GetFunctionDefinition(id).DeleteAsync());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await IsActiveAsync(id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var after = await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());
        Assert.Equal(404, after.StatusCode);
        Assert.Null(await fixture.Client.GetFunctionDefinition(id).GetAsync());
        Assert.False(await fixture.Client.GetFunctionDefinition(id).DeleteAsync());
    }

    [Fact]
    public async Task ACallToAFunctionThatNeverExistedIs404AndLeavesNoActivation()
    {
        var id = NewId();

        var response = await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        Assert.Equal(404, response.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await IsActiveAsync(id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(await IsActiveAsync(id));
    }

    [Fact]
    public async Task CodeThatFailsValidationIsRejectedWithoutChangingTheVersion()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 'good';"));

        var rejected = await definition.DeployAsync(Spec("module.exports = (;"));
        var invalid = await definition.DeployAsync(Spec("module.exports = () => 1;") with { MaxConcurrency = 0 });

        Assert.Equal(DeployOutcome.Rejected, rejected.Outcome);
        Assert.Equal(CodeErrorKinds.Compile, rejected.Error!.Kind);
        Assert.Equal(DeployOutcome.Rejected, invalid.Outcome);
        Assert.Contains("maxConcurrency", invalid.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await definition.GetAsync())!.Definition.Version);
    }

    [Fact]
    public async Task MaxInstancesIsStoredDefaultsToTenAndIsHeldToTheLimit()
    {
        var definition = fixture.Client.GetFunctionDefinition(NewId());

        var byDefault = await definition.DeployAsync(Spec("module.exports = () => 1;"));
        var three = await definition.DeployAsync(Spec("module.exports = () => 1;") with { MaxInstances = 3 });
        var none = await definition.DeployAsync(Spec("module.exports = () => 1;") with { MaxInstances = 0 });
        var tooMany = await definition.DeployAsync(Spec("module.exports = () => 1;") with { MaxInstances = 101 });

        Assert.Equal(10, byDefault.Definition!.Spec.MaxInstances);
        Assert.Equal(3, three.Definition!.Spec.MaxInstances);
        Assert.Equal(3, (await definition.GetAsync())!.Definition.Spec.MaxInstances);
        Assert.Equal(DeployOutcome.Rejected, none.Outcome);
        Assert.Equal("maxInstances: 0 is out of range; it must be between 1 and 100.", none.Error!.Message);
        Assert.Equal(DeployOutcome.Rejected, tooMany.Outcome);
        Assert.Equal("maxInstances: 101 is out of range; it must be between 1 and 100.", tooMany.Error!.Message);
    }
}
