using Granary.Silo.Hosting;
using OpenTelemetry.Resources;

namespace Granary.Silo.Telemetry;

/// <summary>
/// The resource every signal of a Granary host carries: <c>service.name</c> (<c>OTEL_SERVICE_NAME</c>, else
/// <c>granary</c>), <c>service.instance.id</c> (the silo's address, or the gateway's host and process), the cluster and
/// service ids, and whatever <c>OTEL_RESOURCE_ATTRIBUTES</c> adds.
/// </summary>
internal static class TelemetryResource
{
    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "granary";

    public static void Describe(ResourceBuilder resource, IConfiguration configuration)
    {
        var cluster = ClusterEndpointOptions.Read(configuration);
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } named ? named : DefaultServiceName;
        resource
            .AddService(name, serviceVersion: typeof(TelemetryResource).Assembly.GetName().Version?.ToString(), autoGenerateServiceInstanceId: false)
            .AddAttributes(
            [
                new("granary.cluster.id", cluster.ClusterId),
                new("granary.service.id", cluster.ServiceId),
                new("host.name", Environment.MachineName),
                new("process.pid", Environment.ProcessId),
            ])
            .AddDetector(static services => new InstanceDetector(services))
            .AddEnvironmentVariableDetector();
    }

    // The instance: a silo's address (known from its endpoint options before it starts), else host and process.
    private sealed class InstanceDetector(IServiceProvider services) : IResourceDetector
    {
        public Resource Detect()
        {
            var silo = services.GetService<ILocalSiloDetails>();
            var instance = silo is null ? $"{Environment.MachineName}:{Environment.ProcessId}" : silo.SiloAddress.ToString();
            var attributes = new List<KeyValuePair<string, object>> { new("service.instance.id", instance) };
            if (silo is not null)
            {
                attributes.Add(new("granary.silo.address", silo.SiloAddress.ToString()));
                attributes.Add(new("granary.silo.name", silo.Name));
            }

            return new Resource(attributes);
        }
    }
}
