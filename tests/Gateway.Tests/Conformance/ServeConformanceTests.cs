using System.Net;
using System.Text.Json;

namespace Granary.Gateway.Tests.Conformance;

/// <summary>
/// Every case of the Functions Framework conformance suite against single-function mode, driven as the public
/// client drives a framework: one process per signature, started with FUNCTION_SIGNATURE_TYPE and flags,
/// POST / with the exact vector headers, and function_output.json read from the working directory after each 2xx.
/// The function file is the Node framework's own conformance function (test/conformance/function.js), unchanged
/// but for the datacontenttype line Granary does not need.
/// </summary>
public sealed class ServeConformanceTests
{
    private const string ConformanceFunctions = """
        const fs = require('fs');
        const fileName = 'function_output.json';
        function writeJson(content) {
          const json = JSON.stringify(content);
          fs.writeFileSync(fileName, json);
          console.log(`Writing ${fileName}`);
        }
        exports.writeHttp = (req, res) => { writeJson(req.body); res.sendStatus(200); };
        exports.writeCloudEvent = (cloudEvent) => { writeJson(cloudEvent); };
        exports.writeLegacyEvent = (data, context) => {
          writeJson({ data, context: { eventId: context.eventId, timestamp: context.timestamp, eventType: context.eventType, resource: context.resource } });
        };
        exports.concurrentHttp = (req, res) => { setTimeout(() => res.send('done'), 1000); };
        """;

    [Fact]
    public async Task TheHttpSuitePasses()
    {
        await using var serve = await ServeProcess.StartAsync(ConformanceFunctions, ["--target", "writeHttp"], new Dictionary<string, string> { ["FUNCTION_SIGNATURE_TYPE"] = "http" });

        var response = await serve.Http.PostAsync("/", JsonContent.Create(new { res = "PASS" }));

        Assert.True(response.IsSuccessStatusCode, $"status {(int)response.StatusCode}");
        Assert.Equal("PASS", JsonDocument.Parse(await serve.ReadOutputAsync()).RootElement.GetProperty("res").GetString());
        Assert.Contains("Writing function_output.json", serve.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEsModuleServesWithItsFileSystemImport()
    {
        await using var serve = await ServeProcess.StartAsync(
            """
            import { writeFileSync } from 'node:fs';
            const ready = await Promise.resolve('esm');
            export function hello(req, res) { writeFileSync('function_output.json', JSON.stringify({ ready })); res.send(ready); }
            """,
            ["--target", "hello", "--signature-type", "http"]);

        var response = await serve.Http.GetAsync("/");

        Assert.Equal("esm", await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"ready\":\"esm\"}", await serve.ReadOutputAsync());
    }

    [Fact]
    public async Task TheCloudEventSuitePassesEveryCase() => await RunSuiteAsync("cloudevent", "writeCloudEvent", "cloudevent");

    [Fact]
    public async Task TheLegacyEventSuitePassesEveryCase() => await RunSuiteAsync("legacyevent", "writeLegacyEvent", "event");

    [Fact]
    public async Task TheConcurrencyTestPasses()
    {
        await using var serve = await ServeProcess.StartAsync(ConformanceFunctions, ["--target", "concurrentHttp", "--signature-type", "http"]);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var single = await serve.Http.PostAsync("/", JsonContent.Create(new { data = "hello" }));
        var t1 = watch.Elapsed;
        watch.Restart();
        var all = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => serve.Http.PostAsync("/", JsonContent.Create(new { data = "hello" }))));
        var t10 = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.True(t1 >= TimeSpan.FromSeconds(1), $"one invocation took {t1}");
        Assert.All(all, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(t10 <= 2 * t1, $"ten took {t10}, one took {t1}");
    }

    // The client sends the cases one at a time, in order, and reads the output file after each 2xx response.
    private static async Task RunSuiteAsync(string suite, string target, string signatureType)
    {
        await using var serve = await ServeProcess.StartAsync(ConformanceFunctions, ["--target", target], new Dictionary<string, string> { ["FUNCTION_SIGNATURE_TYPE"] = signatureType });
        var cases = ConformanceVectors.EventCases(suite).ToList();
        Assert.Equal(34, cases.Count);
        foreach (var c in cases)
        {
            var response = await serve.Http.SendAsync(ConformanceVectors.Request(c, "/"));
            Assert.True(response.IsSuccessStatusCode, $"{c.Phase} {c.Name}: status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{serve.Stderr}");
            ConformanceComparer.Compare(c.Comparator, await serve.ReadOutputAsync(), c.Expected);
        }
    }
}
