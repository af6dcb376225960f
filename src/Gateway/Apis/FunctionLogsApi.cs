using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Granary.Functions;
using Granary.Logs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>
/// A function's log lines, past and live: <c>GET …/functions/{name}/logs</c> reads the function's log store
/// (<see cref="IFunctionLogGrain"/>) with <c>since</c>, <c>until</c>, <c>level</c>, <c>q</c> and <c>limit</c>, newest
/// first; <c>?follow=true</c> streams new lines as Server-Sent Events until the client goes. The Custom Code API's
/// <c>GET /v2/functions/{workspace}/logs</c> answers the same for a workspace's snippets (<see cref="CustomCodeApi"/>).
/// </summary>
internal static class FunctionLogsApi
{
    // How long one long-poll of the log grain waits for lines before the stream gets a keep-alive comment (which also
    // finds a client that went away without closing). Well inside Orleans' response timeout.
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    public static async Task<Results<Ok<FunctionLogListResponse>, EmptyHttpResult, ProblemHttpResult>> GetAsync(
        string tenant, string workspace, string name, HttpContext context, IGrainFactory grains, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (request, problem) = LogRequest.Parse(context.Request.Query);
        if (request is null)
        {
            return ApiProblems.Create(400, "invalid-log-query", "Invalid log query", problem!);
        }

        var id = new FunctionId(tenant, workspace, name);
        if (await grains.GetFunctionDefinition(id).GetAsync() is null)
        {
            return ApiProblems.FunctionNotFound(tenant, workspace, name);
        }

        var log = grains.GetFunctionLog(id);
        if (request.Follow)
        {
            await FollowAsync(context, log, request.Query, json.Value.SerializerOptions);
            return TypedResults.Empty;
        }

        return TypedResults.Ok(new FunctionLogListResponse(await log.QueryAsync(request.Query)));
    }

    /// <summary>
    /// Streams the lines that reach <paramref name="log"/> from now on and match <paramref name="filter"/> as
    /// Server-Sent Events (one <c>data:</c> JSON line per log line), until the client goes. The gateway long-polls the
    /// log grain, wherever it runs, so a follower may connect to any gateway; its cancellation reaches the grain.
    /// </summary>
    public static async Task FollowAsync(HttpContext context, IFunctionLogGrain log, FunctionLogQuery filter, JsonSerializerOptions json)
    {
        // The stream ends when the client goes, or when this gateway stops (a follower must not hold up its shutdown).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var aborted = ending.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        FunctionLogCursor? cursor = null;
        try
        {
            await response.WriteAsync(": following\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                FunctionLogBatch batch;
                try
                {
                    batch = await log.WaitAsync(cursor, filter, s_poll, aborted);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && !aborted.IsCancellationRequested)
                {
                    // The log grain's silo went away (or a call failed): wait a moment and ask its next activation,
                    // which takes the cursor on from its own first line.
                    await Task.Delay(s_retry, aborted);
                    continue;
                }

                cursor = batch.Next;
                if (batch.Lines.IsEmpty)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                }

                foreach (var line in batch.Lines)
                {
                    await response.WriteAsync("data: " + JsonSerializer.Serialize(line, json) + "\n\n", aborted);
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (or the gateway stops): the stream ends, and so does the wait at the log grain.
        }
    }
}

/// <summary>The answer of a log read, newest first.</summary>
internal sealed record FunctionLogListResponse(ImmutableArray<FunctionLogEntry> Lines);

/// <summary>The query string of a log read or follow, checked.</summary>
/// <param name="Query">What to read (or, following, which lines to send).</param>
/// <param name="Follow">Whether to stream new lines.</param>
internal sealed record LogRequest(FunctionLogQuery Query, bool Follow)
{
    private const int MaxTextLength = 1000;

    /// <summary>Reads <c>since</c>, <c>until</c>, <c>level</c>, <c>q</c>, <c>limit</c> and <c>follow</c>; returns why they are wrong, or the request.</summary>
    public static (LogRequest? Request, string? Problem) Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!Time(query, "since", out var since, out var problem) || !Time(query, "until", out var until, out problem))
        {
            return (null, problem);
        }

        if (since is { } from && until is { } to && from > to)
        {
            return (null, "since must not be after until.");
        }

        string? level = null;
        if (One(query, "level") is { } levelText)
        {
            if (!FunctionLogLevels.IsKnown(levelText))
            {
                return (null, $"level must be one of {string.Join(", ", FunctionLogLevels.All)}; got '{FunctionNames.Printable(levelText)}'.");
            }

            level = levelText.ToLowerInvariant();
        }

        var text = One(query, "q");
        if (text is { Length: > MaxTextLength })
        {
            return (null, $"q must be at most {MaxTextLength} characters.");
        }

        var limit = FunctionLogQuery.DefaultLimit;
        if (One(query, "limit") is { } limitText
            && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= FunctionLogQuery.MaxLimit))
        {
            return (null, $"limit must be a whole number between 1 and {FunctionLogQuery.MaxLimit}; got '{FunctionNames.Printable(limitText)}'.");
        }

        var follow = false;
        if (One(query, "follow") is { } followText && !bool.TryParse(followText, out follow))
        {
            return (null, $"follow must be true or false; got '{FunctionNames.Printable(followText)}'.");
        }

        if (query.Any(p => p.Value.Count > 1 && s_known.Contains(p.Key)))
        {
            return (null, "each of since, until, level, q, limit and follow may be given once.");
        }

        return (new LogRequest(new FunctionLogQuery(since, until, level, string.IsNullOrEmpty(text) ? null : text, limit), follow), null);
    }

    private static readonly HashSet<string> s_known = new(["since", "until", "level", "q", "limit", "follow"], StringComparer.OrdinalIgnoreCase);

    private static string? One(IQueryCollection query, string key) =>
        query.TryGetValue(key, out var values) && values.Count > 0 ? values[^1] : null;

    // An RFC 3339 date and time with its offset (or Z). A '+' left unescaped in a query string arrives as a space.
    private static bool Time(IQueryCollection query, string key, out DateTimeOffset? value, out string? problem)
    {
        (value, problem) = (null, null);
        if (One(query, key) is not { } text)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            || DateTimeOffset.TryParse(text.Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed))
        {
            value = parsed;
            return true;
        }

        problem = $"{key} must be an RFC 3339 date and time, such as 2026-01-31T12:00:00Z; got '{FunctionNames.Printable(text)}'.";
        return false;
    }
}
