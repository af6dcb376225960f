using Granary.Functions;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Modules;

/// <summary>Every contract reads an ES module's exports as it reads <c>module.exports</c>.</summary>
public sealed class EsModuleSignatureTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    private static InvocationRequest BinaryCloudEvent(string body) => Request(
        "POST",
        body: body,
        headers:
        [
            ("Content-Type", "application/json"), ("Ce-Specversion", "1.0"), ("Ce-Type", "order.created"), ("Ce-Source", "/shop"),
            ("Ce-Id", "abc-1"), ("Ce-Time", "2020-12-20T13:37:33.647Z"),
        ]);

    [Fact]
    public async Task SkipperCallsTheNamedHandlerExport()
    {
        var result = await RunAsync(fixture.Pool, "export async function main(event) { return { got: event.n + 1 }; }", Json("{\"n\":1}"));

        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"got\":2}", result.Text());
    }

    [Fact]
    public async Task KymaCallsExportedMainWithTheEventAndContext()
    {
        var result = await RunAsync(
            fixture.Pool,
            "export function main(event, context) { return { body: event.data, name: context['function-name'] }; }",
            Json("{\"a\":1}"),
            s => s with { Signature = FunctionSignatures.Kyma });

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"body\":{\"a\":1},\"name\":\"fn\"}", result.Text());
    }

    [Fact]
    public async Task KymaCallsTheDefaultExportWhenThereIsNoMain()
    {
        var result = await RunAsync(fixture.Pool, "export default (event) => 'kyma ' + event.extensions.request.method;", configure: s => s with { Signature = FunctionSignatures.Kyma });

        Assert.Equal("kyma GET", result.Text());
    }

    [Fact]
    public async Task FunctionsFrameworkHttpCallsTheTargetByName()
    {
        var result = await RunAsync(
            fixture.Pool,
            "export const other = (req, res) => res.send('other');\nexport function hello(req, res) { res.status(201).send(`hello ${req.query.name}`); }",
            Request(query: "?name=esm"),
            s => s with { Signature = FunctionSignatures.Http, Handler = "hello" });

        Assert.Equal(201, result.StatusCode);
        Assert.Equal("hello esm", result.Text());
    }

    [Fact]
    public async Task FunctionsFrameworkDeclarativeRegistrationWorksFromAnImport()
    {
        var result = await RunAsync(
            fixture.Pool,
            "import functions, { http } from '@google-cloud/functions-framework';\nhttp('hello', (req, res) => res.send('registered ' + (functions.http === http)));",
            configure: s => s with { Signature = FunctionSignatures.Http, Handler = "hello" });

        Assert.Equal("registered true", result.Text());
    }

    [Fact]
    public async Task FunctionsFrameworkCloudEventCallsTheTargetWithTheEvent()
    {
        var result = await RunAsync(
            fixture.Pool,
            "export async function receive(cloudEvent) { console.log(`${cloudEvent.type} ${cloudEvent.source} ${cloudEvent.data.n}`); }",
            BinaryCloudEvent("{\"n\":5}"),
            s => s with { Signature = FunctionSignatures.CloudEvent, Handler = "receive" });

        Assert.Equal(204, result.StatusCode);
        Assert.Equal("order.created /shop 5", Assert.Single(result.Logs).Message);
    }

    [Fact]
    public async Task FunctionsFrameworkLegacyEventCallsTheTargetWithDataAndContext()
    {
        var result = await RunAsync(
            fixture.Pool,
            "export const receive = (data, context) => { console.log(`${data.n} ${context.eventId || context.id}`); };",
            BinaryCloudEvent("{\"n\":6}"),
            s => s with { Signature = FunctionSignatures.Event, Handler = "receive" });

        Assert.Equal(204, result.StatusCode);
        Assert.Equal("6 abc-1", Assert.Single(result.Logs).Message);
    }
}
