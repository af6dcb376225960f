using System.Collections;
using System.Diagnostics;
using System.Globalization;
using Granary.Runtime.Telemetry;

namespace Granary.Functions;

/// <summary>
/// The function grain's part of an invocation's trace: its server span (the FaaS conventions' invocation span), the
/// activation's cold-start span, the trace id its record and log lines carry, and the logging scope that puts the
/// invocation's fields on every log line written while it runs. Shared by the grain path and the warm path
/// (<see cref="LocalFunctions.TryInvoke"/>), so both make the same spans.
/// </summary>
internal static class InvocationTracing
{
    /// <summary>
    /// Starts the invocation's span. Its parent is the current span when that is in the caller's trace (Orleans' span of
    /// the incoming grain call, or on the warm path the gateway's own span); otherwise the caller's traceparent, as a
    /// remote parent, so the trace continues (and keeps its id) even when Orleans made no span for an unsampled call.
    /// <paramref name="traceId"/> is the trace the invocation runs in, whether or not it is sampled (null when tracing is
    /// off): the host's, never the function's, so nothing the function returns or logs can change it.
    /// </summary>
    public static Activity? Start(InvocationRequest request, FunctionId id, int shard, string invocationId, out string? traceId)
    {
        var current = Activity.Current;
        if (current is not null && ReferenceEquals(current.Id, request.TraceParent))
        {
            // The warm path: the gateway's span is still current here, and the request carries its very id.
            var local = GranaryActivities.Functions.StartActivity("faas.server", ActivityKind.Server);
            Describe(local, id, shard, invocationId);
            traceId = (local ?? current).TraceId.ToHexString();
            return local;
        }

        var hasRemote = TraceContext.TryParse(request.TraceParent, request.TraceState, out var remote);
        var span = hasRemote && (current is null || current.TraceId != remote.TraceId)
            ? GranaryActivities.Functions.StartActivity("faas.server", ActivityKind.Server, remote)
            : GranaryActivities.Functions.StartActivity("faas.server", ActivityKind.Server);
        Describe(span, id, shard, invocationId);
        traceId = (span ?? current) is { IdFormat: ActivityIdFormat.W3C } activity && (!hasRemote || activity.TraceId == remote.TraceId)
            ? activity.TraceId.ToHexString()
            : hasRemote ? remote.TraceId.ToHexString() : null;
        return span;
    }

    private static void Describe(Activity? span, FunctionId id, int shard, string invocationId)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = id.Name;
            span.SetTag(FaasAttributes.Name, id.Name);
            span.SetTag(FaasAttributes.Tenant, id.Tenant);
            span.SetTag(FaasAttributes.Workspace, id.Workspace);
            span.SetTag(FaasAttributes.InvocationId, invocationId);
            span.SetTag(FaasAttributes.Shard, shard);
        }
    }

    /// <summary>Adds what is known once the invocation has run: the version, whether it was cold, its outcome.</summary>
    public static void Finish(Activity? span, FunctionDefinition? definition, InvocationRecord record)
    {
        if (span is not { IsAllDataRequested: true })
        {
            return;
        }

        span.SetTag(FaasAttributes.Trigger, Trigger(definition));
        span.SetTag(FaasAttributes.ColdStart, record.Cold);
        span.SetTag(FaasAttributes.Outcome, record.Outcome);
        span.SetTag("http.response.status_code", record.StatusCode);
        if (definition is not null)
        {
            span.SetTag(FaasAttributes.Version, definition.Version.ToString(CultureInfo.InvariantCulture));
            span.SetTag(FaasAttributes.MaxMemory, (long)definition.Spec.MemoryLimitMb << 20);
        }

        if (record.Outcome != InvocationOutcomes.Ok)
        {
            span.SetStatus(ActivityStatusCode.Error, record.Error);
        }
    }

    /// <summary>Starts the span of an activation's cold start: attaching to the definition, installing and loading the code.</summary>
    public static Activity? StartColdStart(FunctionId id)
    {
        var span = GranaryActivities.Functions.StartActivity("faas.coldstart");
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = "coldstart " + id.Name;
            span.SetTag(FaasAttributes.ColdStart, true);
            span.SetTag(FaasAttributes.Name, id.Name);
            span.SetTag(FaasAttributes.Tenant, id.Tenant);
            span.SetTag(FaasAttributes.Workspace, id.Workspace);
        }

        return span;
    }

    /// <summary>The FaaS trigger of a function: <c>pubsub</c> for event functions (CloudEvents), else <c>http</c>.</summary>
    public static string Trigger(FunctionDefinition? definition) =>
        definition?.Spec.Signature is FunctionSignatures.CloudEvent or FunctionSignatures.Event ? FaasAttributes.PubSubTrigger : FaasAttributes.HttpTrigger;

    /// <summary>
    /// The fields of one invocation as a logging scope: tenant, workspace, function, version, invocation id and trace id,
    /// structured (the JSON console formatter writes them under <c>Scopes</c>). One object per invocation; the version is
    /// filled in once the code is loaded.
    /// </summary>
    internal sealed class Scope(FunctionId id, string invocationId, string? traceId, int version) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Version { get; set; } = version;

        public int Count => 7;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("Tenant", id.Tenant),
            1 => new("Workspace", id.Workspace),
            2 => new("Function", id.Name),
            3 => new("Version", Version),
            4 => new("InvocationId", invocationId),
            5 => new("TraceId", traceId),
            6 => new("{OriginalFormat}", "Invocation {InvocationId} of {Tenant}/{Workspace}/{Function} version {Version}, trace {TraceId}"),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"Invocation {invocationId} of {id.Tenant}/{id.Workspace}/{id.Name} version {Version}, trace {traceId}");
    }
}
