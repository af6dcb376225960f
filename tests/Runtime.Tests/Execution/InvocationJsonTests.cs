using System.Text;
using Granary.Functions;
using Granary.Runtime.Execution;

namespace Granary.Runtime.Tests.Execution;

/// <summary>
/// Pins the wire format between .NET and the scripts (documented on <see cref="InvocationJson"/>, in 50-module.js and in
/// granary_worker.py): renaming a key on one side only breaks these tests, not just the functions.
/// </summary>
public sealed class InvocationJsonTests
{
    [Fact]
    public void WriteProducesTheDocumentedRequestKeys()
    {
        var request = new InvocationRequest
        {
            Method = "PUT",
            Path = "/a/b",
            QueryString = "?x=1",
            Headers = [new HttpHeader("Content-Type", "text/plain"), new HttpHeader("X-A", "1"), new HttpHeader("X-A", "2")],
            Body = Encoding.UTF8.GetBytes("hello"),
        };

        var json = InvocationJson.Write(request, eventJson: """{"id":"e1"}""", stateJson: """{"n":1}""");

        Assert.Equal(
            """{"method":"PUT","path":"/a/b","query":"?x=1","headers":[["Content-Type","text/plain"],["X-A","1"],["X-A","2"]],"body":"hello","encoding":"utf8","event":{"id":"e1"},"state":{"n":1}}""",
            json);
    }

    [Fact]
    public void WriteSendsABodyThatIsNotUtf8AsBase64AndLeavesOutAnAbsentEventAndState()
    {
        var request = new InvocationRequest { Method = "POST", Path = "/", Body = new byte[] { 0xff, 0x00, 0x01 } };

        var json = InvocationJson.Write(request);

        Assert.Equal("""{"method":"POST","path":"/","query":"","headers":[],"body":"/wAB","encoding":"base64"}""", json);
    }

    [Fact]
    public void ReadGivesTheResultTheDocumentedKeysDescribe()
    {
        var result = InvocationJson.Read("""
            {"response": {"status": 201, "headers": [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]], "body": "made", "encoding": "utf8"},
             "logs": [{"level": "info", "message": "one", "time": 1700000000123}, {"level": "error", "message": "two", "time": 1700000000456.9}],
             "error": {"name": "TypeError", "message": "boom", "stack": "TypeError: boom\n    at main"},
             "changes": "{\"set\":{\"n\":\"2\"},\"deleted\":[]}"}
            """);

        Assert.Equal(201, result.StatusCode);
        Assert.Equal([new HttpHeader("Set-Cookie", "a=1"), new HttpHeader("Set-Cookie", "b=2")], result.Headers);
        Assert.Equal("made", result.Text());
        Assert.Equal(
            [
                new LogLine("info", "one", DateTimeOffset.FromUnixTimeMilliseconds(1700000000123)),
                new LogLine("error", "two", DateTimeOffset.FromUnixTimeMilliseconds(1700000000456)),
            ],
            result.Logs);
        Assert.Equal("TypeError: boom", result.Error);
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Equal("""{"set":{"n":"2"},"deleted":[]}""", result.StateChanges);
    }

    [Theory]
    [InlineData("bad-request", InvocationOutcomes.BadRequest)]
    [InlineData("health", InvocationOutcomes.Runtime)]
    [InlineData("preflight", InvocationOutcomes.Runtime)]
    [InlineData("ignored", InvocationOutcomes.Runtime)]
    public void ReadMapsTheOutcomeKey(string outcome, string expected)
    {
        var result = InvocationJson.Read($$"""
            {"response": {"status": 400, "headers": [], "body": "/wAB", "encoding": "base64"}, "logs": [], "outcome": "{{outcome}}"}
            """);

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(new byte[] { 0xff, 0x00, 0x01 }, result.Body.ToArray());
        Assert.Null(result.Error);
        Assert.Null(result.StateChanges);
    }

    [Theory]
    [InlineData("""{"status": 200, "headers": [], "body": "{\"k\":\"\u00e9\\n\"}", "encoding": "utf8"}""", "7B226B223A22C3A95C6E227D")]
    [InlineData("""{"status": 200, "headers": [], "body": "tab\there \ud83d\ude00", "encoding": "utf8"}""", "746162096865726520F09F9880")]
    [InlineData("""{"status": 200, "headers": [], "encoding": "base64", "body": "/wAB"}""", "FF0001")]
    [InlineData("""{"status": 200, "headers": [], "body": "/wA=", "encoding": "base64"}""", "FF00")]
    [InlineData("""{"status": 200, "headers": [], "body": "/w==", "encoding": "base64"}""", "FF")]
    [InlineData("""{"status": 200, "headers": [], "body": "", "encoding": "base64"}""", "")]
    [InlineData("""{"status": 200, "headers": [], "body": null, "encoding": "utf8"}""", "")]
    [InlineData("""{"status": 200, "headers": [], "encoding": "utf8"}""", "")]
    public void ReadGivesTheBodyAsItsBytesWhateverItsEscapesPaddingAndKeyOrder(string response, string hex)
    {
        var result = InvocationJson.Read($$"""{"response": {{response}}, "logs": []}""");

        Assert.Equal(hex, Convert.ToHexString(result.Body.Span));
    }

    [Theory]
    [InlineData("/wA")]
    [InlineData("/w=A")]
    [InlineData("not base64!")]
    public void ReadRejectsABodyThatIsNotBase64(string body)
    {
        Assert.Throws<FormatException>(() => InvocationJson.Read($$"""{"response": {"status": 200, "headers": [], "body": "{{body}}", "encoding": "base64"}, "logs": []}"""));
    }

    [Fact]
    public void ReadLogsReadsTheBareLogsArrayOfATimedOutInvocation()
    {
        var logs = InvocationJson.ReadLogs("""[{"level": "warn", "message": "late", "time": 5}]""");

        Assert.Equal([new LogLine("warn", "late", DateTimeOffset.FromUnixTimeMilliseconds(5))], logs);
    }

    [Fact]
    public void ReadRejectsAResultWithoutTheResponseKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InvocationJson.Read("""{"r": {"s": 200, "h": [], "b": "", "e": "utf8"}, "l": []}"""));

        Assert.Equal("The isolate returned no response.", error.Message);
    }
}
