using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Gateway.Hosting;
using Granary.Silo.Hosting;

namespace Granary.Gateway.Tests.Deploy;

/// <summary>
/// The deployment files under <c>deploy/</c> read as data: they parse, have the shape the orchestrators need, start
/// programs the publish produces, and set only environment variables that Granary reads. No Docker engine, cluster
/// or kubectl is needed (the development machine and CI have none).
/// </summary>
public sealed partial class DeployFilesTests
{
    private const string PasswordInConnectionString = "Password=";

    private static readonly string[] FunctionRuntimePackages = ["python3", "nodejs", "npm", "bubblewrap"];

    private static readonly string[] AllowedVariablePrefixes = ["DOTNET_", "Logging__"];

    private static string GatewayDll => typeof(GatewayOptions).Assembly.GetName().Name + ".dll";

    private static string SiloDll => typeof(CustomCodeEnvironment).Assembly.GetName().Name + ".dll";

    [Fact]
    public void EveryYamlFileUnderDeployParses()
    {
        var files = YamlFiles().ToList();

        Assert.Contains(files, f => f.EndsWith("docker-compose.yml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains("kubernetes", StringComparison.Ordinal));
        Assert.All(files, file => Assert.NotEmpty(YamlReader.ReadDocuments(file)));
    }

    [Fact]
    public void EveryKubernetesDocumentHasApiVersionKindAndName()
    {
        var documents = KubernetesDocuments().ToList();

        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Text(d.Document, "apiVersion")), $"{d.File}: a document without apiVersion");
            Assert.False(string.IsNullOrEmpty(Text(d.Document, "kind")), $"{d.File}: a document without kind");
            Assert.False(string.IsNullOrEmpty(Text(d.Document, "metadata", "name")), $"{d.File}: a {Text(d.Document, "kind")} without metadata.name");
        });
    }

    [Fact]
    public void KubernetesClusterHasThreeSilosTwoClientGatewaysTheirServicesAConfigMapAndASecret()
    {
        var documents = KubernetesDocuments().Select(d => d.Document).ToList();
        var workloads = Workloads().ToList();

        var silo = Assert.Single(workloads, w => GranaryContainers(w.Pod).Any(IsSilo));
        Assert.Contains(Text(silo.Workload, "kind"), (string[])["StatefulSet", "Deployment"]);
        Assert.Equal("3", Text(silo.Workload, "spec", "replicas"));
        var gateway = Assert.Single(workloads, w => GranaryContainers(w.Pod).Any(c => EnvValue(c, "Granary__Gateway__Mode") is "client"));
        Assert.Equal("Deployment", Text(gateway.Workload, "kind"));
        Assert.Equal("2", Text(gateway.Workload, "spec", "replicas"));

        var services = documents.Where(d => Text(d, "kind") is "Service").ToList();
        Assert.Contains(services, s => Text(s, "spec", "clusterIP") is "None" && Selects(s, silo.Workload));
        Assert.Contains(services, s => Selects(s, gateway.Workload));
        Assert.Contains(documents, d => Text(d, "kind") is "ConfigMap");
        Assert.Contains(documents, d => Text(d, "kind") is "Secret");

        var missing = GranaryContainers(silo.Pod).Concat(GranaryContainers(gateway.Pod))
            .SelectMany(ReferencedObjects)
            .Where(r => !documents.Any(d => Text(d, "kind") == r.Kind && Text(d, "metadata", "name") == r.Name))
            .Select(r => $"{r.Kind} {r.Name}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void GranaryContainersProbeReadyzAndHealthzOnAPortTheyDeclare()
    {
        var containers = Workloads().SelectMany(w => GranaryContainers(w.Pod).Select(c => (w.File, Container: c))).ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, c =>
        {
            var name = $"{c.File}: container {Text(c.Container, "name")}";
            Assert.True(Text(c.Container, "readinessProbe", "httpGet", "path") is "/readyz", $"{name}: readiness is not /readyz");
            Assert.True(Text(c.Container, "livenessProbe", "httpGet", "path") is "/healthz", $"{name}: liveness is not /healthz");
            var ports = Items(c.Container, "ports").SelectMany(p => (string?[])[Text(p, "name"), Text(p, "containerPort")]).OfType<string>().ToList();
            Assert.Contains(Text(c.Container, "readinessProbe", "httpGet", "port"), ports);
            Assert.Contains(Text(c.Container, "livenessProbe", "httpGet", "port"), ports);
        });
    }

    [Fact]
    public void GranaryContainersRequestResourcesAndRunAsNonRoot()
    {
        var containers = Workloads().SelectMany(w => GranaryContainers(w.Pod).Select(c => (w.File, w.Pod, Container: c))).ToList();

        Assert.NotEmpty(containers);
        Assert.All(containers, c =>
        {
            var name = $"{c.File}: container {Text(c.Container, "name")}";
            Assert.False(string.IsNullOrEmpty(Text(c.Container, "resources", "requests", "cpu")), $"{name}: no cpu request");
            Assert.False(string.IsNullOrEmpty(Text(c.Container, "resources", "requests", "memory")), $"{name}: no memory request");
            Assert.False(string.IsNullOrEmpty(Text(c.Container, "resources", "limits", "memory")), $"{name}: no memory limit");
            var runAsNonRoot = Text(c.Container, "securityContext", "runAsNonRoot") ?? Text(c.Pod, "securityContext", "runAsNonRoot");
            var runAsUser = Text(c.Container, "securityContext", "runAsUser") ?? Text(c.Pod, "securityContext", "runAsUser");
            Assert.True(runAsNonRoot is "true", $"{name}: runAsNonRoot is not true");
            Assert.True(runAsUser is null || int.Parse(runAsUser, CultureInfo.InvariantCulture) > 0, $"{name}: runs as uid 0");
            Assert.True(Text(c.Container, "securityContext", "allowPrivilegeEscalation") is not "true", $"{name}: allows privilege escalation");
        });
    }

    [Fact]
    public void KubernetesSilosAdvertiseThePodIpAndHaveTimeToStopGracefully()
    {
        var silo = Assert.Single(Workloads(), w => GranaryContainers(w.Pod).Any(IsSilo));
        var container = Assert.Single(GranaryContainers(silo.Pod), IsSilo);
        var advertised = Items(container, "env").Single(e => Text(e, "name") is "Granary__Cluster__AdvertisedAddress");
        var shutdown = KubernetesEnvironment(container).Single(v => v.Name is "DOTNET_shutdownTimeoutSeconds").Value;

        Assert.Equal("status.podIP", Text(advertised, "valueFrom", "fieldRef", "fieldPath"));
        Assert.NotNull(shutdown);
        var grace = int.Parse(Text(silo.Pod, "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture);
        Assert.True(grace > int.Parse(shutdown, CultureInfo.InvariantCulture), $"terminationGracePeriodSeconds {grace} is not above the {shutdown} s the host takes to stop");
        Assert.True(grace >= 60, $"terminationGracePeriodSeconds {grace} is short for a silo to hand its grains over");
    }

    [Fact]
    public void ComposeRunsThreeSilosAndTwoClientGatewaysAfterHealthyDependencies()
    {
        var services = Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.yml"))), "services");
        var granary = services.Where(s => IsGranaryService(s.Value)).ToDictionary(s => s.Key, s => s.Value);
        var silos = granary.Where(s => Command(s.Value, "entrypoint").Contains(SiloDll, StringComparison.Ordinal) && !Command(s.Value, "entrypoint").Contains("migrate", StringComparison.Ordinal)).ToList();
        var gateways = granary.Where(s => !Command(s.Value, "entrypoint").Contains(SiloDll, StringComparison.Ordinal)).ToList();

        Assert.Equal(3, silos.Count);
        Assert.Equal(2, gateways.Count);
        Assert.NotEmpty(Items(services.GetValueOrDefault("postgres"), "healthcheck", "test"));
        Assert.NotEmpty(Items(services.GetValueOrDefault("redis"), "healthcheck", "test"));
        Assert.All(silos, s =>
        {
            Assert.Equal("service_healthy", Text(s.Value, "depends_on", "redis", "condition"));
            Assert.Equal("service_healthy", Text(s.Value, "depends_on", "postgres", "condition"));
            Assert.Equal("redis", ComposeEnvironment(s.Value).GetValueOrDefault("Granary__Cluster__Clustering"));
            Assert.Equal("adonet", ComposeEnvironment(s.Value).GetValueOrDefault("Granary__Storage__Provider"));
        });
        Assert.All(gateways, g =>
        {
            Assert.Equal("client", ComposeEnvironment(g.Value).GetValueOrDefault("Granary__Gateway__Mode"));
            Assert.Contains(silos, s => Text(g.Value, "depends_on", s.Key, "condition") is "service_healthy");
        });
    }

    // A cluster's gateways refuse to start without the admin key, and its silos without the master key of secrets;
    // each file gives them what they need, from a variable or a Secret, never a key baked into the file for production.
    [Fact]
    public void ClusterGatewaysGetTheAdminKeyAndSilosTheSecretsMasterKey()
    {
        var services = Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.yml"))), "services");
        var granary = services.Where(s => IsGranaryService(s.Value)).ToList();
        var silos = granary.Where(s => Command(s.Value, "entrypoint").Contains(SiloDll, StringComparison.Ordinal) && !Command(s.Value, "entrypoint").Contains("migrate", StringComparison.Ordinal)).ToList();
        var gateways = granary.Where(s => !Command(s.Value, "entrypoint").Contains(SiloDll, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, silos.Count);
        Assert.Equal(2, gateways.Count);
        Assert.All(silos, s => Assert.StartsWith("${GRANARY_SECRETS_KEY", ComposeEnvironment(s.Value).GetValueOrDefault("Granary__Secrets__MasterKey"), StringComparison.Ordinal));
        Assert.All(gateways, g => Assert.StartsWith("${GRANARY_ADMIN_KEY", ComposeEnvironment(g.Value).GetValueOrDefault("Granary__Auth__AdminKey"), StringComparison.Ordinal));

        var documents = KubernetesDocuments().Select(d => d.Document).ToList();
        var workloads = Workloads().ToList();
        var silo = Assert.Single(GranaryContainers(Assert.Single(workloads, w => GranaryContainers(w.Pod).Any(IsSilo)).Pod), IsSilo);
        var gateway = Assert.Single(workloads, w => GranaryContainers(w.Pod).Any(c => EnvValue(c, "Granary__Gateway__Mode") is "client"));
        foreach (var (container, variable) in new[] { (silo, "Granary__Secrets__MasterKey"), (Assert.Single(GranaryContainers(gateway.Pod)), "Granary__Auth__AdminKey") })
        {
            var entry = Items(container, "env").Single(e => Text(e, "name") == variable);
            var (secret, key) = (Text(entry, "valueFrom", "secretKeyRef", "name"), Text(entry, "valueFrom", "secretKeyRef", "key"));
            var document = Assert.Single(documents, d => Text(d, "kind") is "Secret" && Text(d, "metadata", "name") == secret);
            Assert.NotNull(Text(document, "stringData", key!));
        }

        var shared = EnvironmentFile(DeployPath("systemd", "granary.env")).Select(a => a.Name).ToList();
        Assert.Contains("Granary__Auth__AdminKey", shared);
        Assert.Contains("Granary__Secrets__MasterKey", shared);
    }

    [Fact]
    public void ComposePasswordsComeFromVariablesWithADevDefault()
    {
        var services = Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.yml"))), "services");
        var values = services.SelectMany(s => ComposeEnvironment(s.Value).Select(v => (Service: s.Key, v.Key, v.Value))).ToList();

        var secrets = values.Where(v => v.Value is not null && (v.Value.Contains(PasswordInConnectionString, StringComparison.OrdinalIgnoreCase) || v.Key.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.True(s.Value!.Contains("${", StringComparison.Ordinal), $"{s.Service}: {s.Key} holds a password that is not a ${{VARIABLE}}"));
    }

    [Fact]
    public void EveryEnvironmentVariableTheDeployFilesSetIsOneGranaryReads()
    {
        var readable = ReadableVariables();
        var set = ComposeVariables().Concat(KubernetesVariables()).Concat(SystemdVariables()).Concat(DockerfileVariables()).ToList();

        Assert.Contains("Granary__Limits__MaxConcurrency", readable);
        Assert.Contains("FUNCTIONS_RUN_TIMEOUT", readable);
        Assert.Contains(set, v => v.Name is "Granary__Cluster__RedisConnectionString");
        var unknown = set
            .Where(v => !readable.Contains(v.Name) && !AllowedVariablePrefixes.Any(p => v.Name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .Select(v => $"{v.Source}: {v.Name}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void DockerfileIsMultiStageRunsAsNonRootAndStartsThePublishedGateway()
    {
        var instructions = DockerfileInstructions();
        var stages = instructions.Where(i => i.Instruction is "FROM").Select(i => i.Arguments).ToList();
        var entrypoint = JsonSerializer.Deserialize<string[]>(instructions.Last(i => i.Instruction is "ENTRYPOINT").Arguments);
        var user = instructions.Last(i => i.Instruction is "USER").Arguments;
        var runs = string.Join('\n', instructions.Where(i => i.Instruction is "RUN").Select(i => i.Arguments));

        Assert.True(stages.Count >= 2, "the Dockerfile has one stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1], StringComparison.Ordinal);
        Assert.Contains(instructions, i => i.Instruction is "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
        Assert.DoesNotContain(user.Split(':')[0], (string[])["root", "0"]);
        Assert.Contains("dotnet publish src/Gateway/Gateway.csproj", runs, StringComparison.Ordinal);
        Assert.All(FunctionRuntimePackages, p => Assert.Matches($@"apt-get install[^\n]*\s{p}(\s|$)", runs));
        Assert.Equal(["dotnet", GatewayDll], entrypoint ?? []);
    }

    [Fact]
    public void EveryProgramTheDeployFilesStartIsOneThePublishProducesWithItsRuntimeConfig()
    {
        var named = Directory.EnumerateFiles(DeployDirectory(), "*", SearchOption.AllDirectories)
            .SelectMany(f => DllName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Dll: m.Value)))
            .ToList();

        Assert.Contains(named, n => n.Dll == SiloDll);
        Assert.Contains(named, n => n.Dll == GatewayDll);
        Assert.All(named, n =>
        {
            Assert.Contains(n.Dll, (string[])[GatewayDll, SiloDll]);
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, Path.ChangeExtension(n.Dll, ".runtimeconfig.json"))), $"{n.File}: {n.Dll} is not runnable (no runtimeconfig.json beside it)");
        });
    }

    [Fact]
    public void SystemdSiloTemplateGivesEachInstanceItsOwnPortsAndDirectory()
    {
        var unit = SystemdUnit("granary-silo@.service");
        var environment = unit.Where(e => e.Key is "Environment").SelectMany(e => Assignments(e.Value)).ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);
        var shared = EnvironmentFile(DeployPath("systemd", "granary.env")).Select(a => a.Name).ToList();
        string[] perInstance = ["Granary__Cluster__SiloPort", "Granary__Cluster__GatewayPort", "ASPNETCORE_URLS", "Granary__Storage__Path"];

        Assert.All(perInstance, name => Assert.Contains("%i", environment.GetValueOrDefault(name) ?? "", StringComparison.Ordinal));
        Assert.Contains(unit, e => e.Key is "EnvironmentFile" && e.Value.EndsWith("/granary.env", StringComparison.Ordinal));
        Assert.Contains(unit, e => e.Key is "ExecStart" && e.Value.EndsWith("/" + SiloDll, StringComparison.Ordinal));

        // EnvironmentFile= overrides Environment=, so the shared file must leave the per-instance values alone.
        Assert.Empty(shared.Intersect(perInstance, StringComparer.OrdinalIgnoreCase));
        Assert.Equal("client", SystemdUnit("granary-gateway.service").Where(e => e.Key is "Environment").SelectMany(e => Assignments(e.Value)).Single(a => a.Name is "Granary__Gateway__Mode").Value);
    }

    private static HashSet<string> ReadableVariables()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "PORT", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT" };
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "Granary.*.dll"))
        {
            foreach (var type in Assembly.Load(AssemblyName.GetAssemblyName(path)).GetTypes())
            {
                if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field || field.GetRawConstantValue() is not string section)
                {
                    continue;
                }

                // The worker options are bound from two sections (Python's and process-mode JavaScript's).
                string[] sections = type.GetField("NodeSectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } node && node.GetRawConstantValue() is string second
                    ? [section, second]
                    : [section];
                foreach (var prefix in sections.Select(s => s.Replace(":", "__", StringComparison.Ordinal) + "__"))
                {
                    foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
                    {
                        names.Add(prefix + property.Name);
                    }
                }
            }
        }

        foreach (var (variable, _) in CustomCodeEnvironment.Mappings)
        {
            names.Add(variable);
        }

        return names;
    }

    private static IEnumerable<(string Source, string Name)> ComposeVariables() =>
        Directory.EnumerateFiles(DeployDirectory(), "docker-compose*.yml")
            .SelectMany(file => YamlReader.ReadDocuments(file).SelectMany(d => Map(d, "services")))
            .Where(s => IsGranaryService(s.Value))
            .SelectMany(s => ComposeEnvironment(s.Value).Keys.Select(name => ($"compose service {s.Key}", name)));

    private static IEnumerable<(string Source, string Name)> KubernetesVariables() =>
        Workloads().SelectMany(w => GranaryContainers(w.Pod).SelectMany(c => KubernetesEnvironment(c).Select(v => ($"{w.File} container {Text(c, "name")}", v.Name))));

    private static IEnumerable<(string Source, string Name)> SystemdVariables()
    {
        var directory = DeployPath("systemd");
        var units = Directory.EnumerateFiles(directory, "*.service")
            .SelectMany(f => SystemdUnit(Path.GetFileName(f)).Where(e => e.Key is "Environment").SelectMany(e => Assignments(e.Value)).Select(a => (Path.GetFileName(f), a.Name)));
        var files = Directory.EnumerateFiles(directory, "*.env").SelectMany(f => EnvironmentFile(f).Select(a => (Path.GetFileName(f), a.Name)));
        return units.Concat(files);
    }

    private static IEnumerable<(string Source, string Name)> DockerfileVariables() =>
        DockerfileInstructions()
            .Where(i => i.Instruction is "ENV")
            .SelectMany(i => i.Arguments.Contains('=', StringComparison.Ordinal)
                ? EnvAssignment().Matches(i.Arguments).Select(m => m.Groups["name"].Value)
                : [i.Arguments.Split(' ')[0]])
            .Select(name => ("Dockerfile", name));

    /// <summary>Every variable a container gets: env entries, and the keys of the ConfigMaps and Secrets in envFrom.</summary>
    private static IEnumerable<(string Name, string? Value)> KubernetesEnvironment(object? container)
    {
        var documents = KubernetesDocuments().Select(d => d.Document).ToList();
        foreach (var source in Items(container, "envFrom"))
        {
            var (kind, name) = Text(source, "configMapRef", "name") is { } configMap ? ("ConfigMap", configMap) : ("Secret", Text(source, "secretRef", "name"));
            var prefix = Text(source, "prefix") ?? "";
            var referenced = documents.Single(d => Text(d, "kind") == kind && Text(d, "metadata", "name") == name);
            foreach (var entry in Map(referenced, "data").Concat(Map(referenced, "stringData")))
            {
                yield return (prefix + entry.Key, entry.Value as string);
            }
        }

        foreach (var entry in Items(container, "env"))
        {
            yield return (Text(entry, "name")!, Text(entry, "value"));
        }
    }

    private static IEnumerable<(string Kind, string Name)> ReferencedObjects(object? container)
    {
        foreach (var source in Items(container, "envFrom"))
        {
            yield return Text(source, "configMapRef", "name") is { } configMap ? ("ConfigMap", configMap) : ("Secret", Text(source, "secretRef", "name")!);
        }

        foreach (var entry in Items(container, "env"))
        {
            if (Text(entry, "valueFrom", "secretKeyRef", "name") is { } secret)
            {
                yield return ("Secret", secret);
            }

            if (Text(entry, "valueFrom", "configMapKeyRef", "name") is { } configMap)
            {
                yield return ("ConfigMap", configMap);
            }
        }
    }

    private static string? EnvValue(object? container, string name) =>
        KubernetesEnvironment(container).Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();

    private static bool Selects(object? service, object? workload)
    {
        var selector = Map(service, "spec", "selector");
        var labels = Map(workload, "spec", "template", "metadata", "labels");
        return selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && Equals(value, s.Value));
    }

    private static IEnumerable<(string File, object? Document)> KubernetesDocuments() =>
        Directory.EnumerateFiles(DeployPath("kubernetes"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(f => YamlReader.ReadDocuments(f).Select(d => (Path.GetFileName(f), d)));

    private static IEnumerable<(string File, object? Workload, object? Pod)> Workloads() =>
        KubernetesDocuments().Select(d => (d.File, d.Document, Pod: Text(d.Document, "kind") switch
        {
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => Get(d.Document, "spec", "template", "spec"),
            "CronJob" => Get(d.Document, "spec", "jobTemplate", "spec", "template", "spec"),
            "Pod" => Get(d.Document, "spec"),
            _ => null,
        })).Where(w => w.Pod is not null);

    private static IEnumerable<object?> GranaryContainers(object? pod) =>
        Items(pod, "containers").Concat(Items(pod, "initContainers"))
            .Where(c => Text(c, "image") is { } image && image.Split('/')[^1].StartsWith("granary", StringComparison.Ordinal));

    private static bool IsSilo(object? container) =>
        Items(container, "command").Concat(Items(container, "args")).OfType<string>().Any(a => a.Contains(SiloDll, StringComparison.Ordinal));

    private static bool IsGranaryService(object? service) =>
        Get(service, "build") is not null || Text(service, "image") is { } image && image.Split('/')[^1].StartsWith("granary", StringComparison.Ordinal);

    private static string Command(object? service, string key) => Get(service, key) switch
    {
        string text => text,
        IReadOnlyList<object?> list => string.Join(' ', list),
        _ => "",
    };

    private static Dictionary<string, string?> ComposeEnvironment(object? service) => Get(service, "environment") switch
    {
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(e => e.Key, e => e.Value as string, StringComparer.Ordinal),
        IReadOnlyList<object?> list => list.OfType<string>().Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : null, StringComparer.Ordinal),
        _ => [],
    };

    private static List<(string Instruction, string Arguments)> DockerfileInstructions()
    {
        var instructions = new List<(string, string)>();
        var pending = new StringBuilder();
        foreach (var raw in File.ReadLines(DeployPath("Dockerfile")))
        {
            var line = raw.Trim();
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            var text = pending.Append(line).ToString().Trim();
            pending.Clear();
            if (text.Length > 0)
            {
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add((text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
            }
        }

        return instructions;
    }

    private static List<(string Key, string Value)> SystemdUnit(string name) =>
        File.ReadLines(DeployPath("systemd", name))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or ';' or '['))
            .Select(l => l.Split('=', 2))
            .Select(p => (p[0].Trim(), p[1].Trim()))
            .ToList();

    private static IEnumerable<(string Name, string Value)> Assignments(string environment) =>
        SystemdAssignment().Matches(environment).Select(m => m.Groups["a"].Value.Split('=', 2)).Select(p => (p[0], p[1]));

    private static IEnumerable<(string Name, string Value)> EnvironmentFile(string path) =>
        File.ReadLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or ';'))
            .Select(l => (l.StartsWith("export ", StringComparison.Ordinal) ? l[7..] : l).Split('=', 2))
            .Select(p => (p[0].Trim(), p.Length > 1 ? p[1] : ""));

    private static IEnumerable<string> YamlFiles() =>
        Directory.EnumerateFiles(DeployDirectory(), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yml" or ".yaml")
            .Order(StringComparer.Ordinal);

    private static string DeployPath(params ReadOnlySpan<string> parts)
    {
        var path = DeployDirectory();
        foreach (var part in parts)
        {
            path = Path.Combine(path, part);
        }

        return path;
    }

    private static string DeployDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var deploy = Path.Combine(directory.FullName, "deploy");
            if (File.Exists(Path.Combine(deploy, "Dockerfile")) && File.Exists(Path.Combine(directory.FullName, "global.json")))
            {
                return deploy;
            }
        }

        throw new DirectoryNotFoundException($"No deploy/ directory above {AppContext.BaseDirectory}.");
    }

    private static object? Get(object? node, params ReadOnlySpan<string> path)
    {
        foreach (var key in path)
        {
            if (node is not IReadOnlyDictionary<string, object?> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    private static string? Text(object? node, params ReadOnlySpan<string> path) => Get(node, path) as string;

    private static IReadOnlyList<object?> Items(object? node, params ReadOnlySpan<string> path) => Get(node, path) as IReadOnlyList<object?> ?? [];

    private static IReadOnlyDictionary<string, object?> Map(object? node, params ReadOnlySpan<string> path) =>
        Get(node, path) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();

    [GeneratedRegex(@"Granary\.[A-Za-z.]+\.dll")]
    private static partial Regex DllName();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S*)")]
    private static partial Regex EnvAssignment();

    [GeneratedRegex(@"""(?<a>[^""]*)""|(?<a>\S+)")]
    private static partial Regex SystemdAssignment();

    /// <summary>
    /// Reads the block-style YAML these files use (mappings, sequences, plain and quoted scalars, flow sequences and
    /// maps on one line, anchors, aliases and merge keys) into dictionaries, lists and strings. Anything else (block
    /// scalars, tags, tabs, multi-line plain scalars) is rejected with the file and line, rather than misread.
    /// </summary>
    private sealed class YamlReader
    {
        private readonly string _file;
        private readonly List<Line> _lines;
        private readonly Dictionary<string, object?> _anchors = new(StringComparer.Ordinal);
        private int _index;

        private YamlReader(string file, List<Line> lines)
        {
            _file = file;
            _lines = lines;
        }

        public static List<object?> ReadDocuments(string file)
        {
            var documents = new List<object?>();
            var lines = new List<Line>();
            var number = 0;
            foreach (var raw in File.ReadLines(file))
            {
                number++;
                if (raw is "---" or "..." || raw.StartsWith("--- ", StringComparison.Ordinal))
                {
                    Flush();
                    continue;
                }

                var text = StripComment(raw).TrimEnd();
                var indent = text.Length - text.TrimStart(' ').Length;
                if (indent == text.Length)
                {
                    continue;
                }

                if (text[indent] is '\t' || indent == 0 && text[0] is '%')
                {
                    throw new InvalidDataException($"{file}:{number}: tabs and directives are not supported.");
                }

                lines.Add(new Line(indent, text[indent..], number));
            }

            Flush();
            return documents;

            void Flush()
            {
                if (lines.Count > 0)
                {
                    documents.Add(new YamlReader(file, [.. lines]).ReadDocument());
                    lines.Clear();
                }
            }
        }

        private object? ReadDocument()
        {
            var document = ReadBlock(_lines[0].Indent);
            if (_index < _lines.Count)
            {
                throw Error(_lines[_index], "unexpected content after the document");
            }

            return document;
        }

        private object? ReadBlock(int indent) => IsSequenceItem(_lines[_index].Text) ? ReadSequence(indent) : ReadMapping(indent);

        private List<object?> ReadSequence(int indent)
        {
            var items = new List<object?>();
            while (_index < _lines.Count && _lines[_index].Indent == indent && IsSequenceItem(_lines[_index].Text))
            {
                var line = _lines[_index];
                var rest = line.Text[1..].TrimStart(' ');
                if (rest.Length > 0 && (IsSequenceItem(rest) || KeyColon(rest) >= 0))
                {
                    // "- key: value" starts a mapping (or "- - x" a sequence) at the column after the dash.
                    var column = indent + line.Text.Length - rest.Length;
                    _lines[_index] = line with { Indent = column, Text = rest };
                    items.Add(ReadBlock(column));
                    continue;
                }

                _index++;
                items.Add(ReadValue(rest, line, indent, sequenceMayFollow: false));
            }

            ThrowIfDeeper(indent);
            return items;
        }

        private Dictionary<string, object?> ReadMapping(int indent)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            var merged = new List<IReadOnlyDictionary<string, object?>>();
            while (_index < _lines.Count && _lines[_index].Indent == indent && !IsSequenceItem(_lines[_index].Text))
            {
                var line = _lines[_index];
                var colon = KeyColon(line.Text);
                if (colon < 0)
                {
                    throw Error(line, "expected 'key: value'");
                }

                var key = ReadScalar(line.Text[..colon].TrimEnd(), line) as string ?? throw Error(line, "a key must be a scalar");
                _index++;
                var value = ReadValue(line.Text[(colon + 1)..].Trim(), line, indent, sequenceMayFollow: true);
                if (key is "<<")
                {
                    merged.AddRange(value switch
                    {
                        IReadOnlyDictionary<string, object?> one => [one],
                        IReadOnlyList<object?> many when many.All(m => m is IReadOnlyDictionary<string, object?>) => many.Cast<IReadOnlyDictionary<string, object?>>(),
                        _ => throw Error(line, "a merge key needs a mapping or a list of mappings"),
                    });
                }
                else if (!map.TryAdd(key, value))
                {
                    throw Error(line, $"duplicate key '{key}'");
                }
            }

            ThrowIfDeeper(indent);

            // Keys written in the mapping win over merged ones, and earlier merged mappings over later ones.
            foreach (var entry in merged.SelectMany(m => m))
            {
                map.TryAdd(entry.Key, entry.Value);
            }

            return map;
        }

        /// <summary>The value after "key:" or "-"; <see cref="_index"/> is already past its line.</summary>
        private object? ReadValue(string text, Line line, int indent, bool sequenceMayFollow)
        {
            string? anchor = null;
            if (text.StartsWith('&'))
            {
                var end = text.IndexOf(' ', StringComparison.Ordinal);
                anchor = end < 0 ? text[1..] : text[1..end];
                text = end < 0 ? "" : text[(end + 1)..].TrimStart();
            }

            object? value;
            if (text.Length > 0)
            {
                value = ReadScalar(text, line);
            }
            else if (_index < _lines.Count && _lines[_index].Indent > indent)
            {
                value = ReadBlock(_lines[_index].Indent);
            }
            else if (sequenceMayFollow && _index < _lines.Count && _lines[_index].Indent == indent && IsSequenceItem(_lines[_index].Text))
            {
                value = ReadSequence(indent);
            }
            else
            {
                value = null;
            }

            if (anchor is not null)
            {
                _anchors[anchor] = value;
            }

            return value;
        }

        private object? ReadScalar(string text, Line line)
        {
            switch (text[0])
            {
                case '*':
                    return _anchors.TryGetValue(text[1..], out var aliased) ? aliased : throw Error(line, $"unknown alias {text}");
                case '[':
                    return text[^1] is ']' ? SplitFlow(text[1..^1], line).Select(item => ReadScalar(item, line)).ToList() : throw Error(line, "unterminated flow sequence");
                case '{':
                    if (text[^1] is not '}')
                    {
                        throw Error(line, "unterminated flow mapping");
                    }

                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var item in SplitFlow(text[1..^1], line))
                    {
                        var colon = KeyColon(item);
                        if (colon < 0 || !map.TryAdd((string)ReadScalar(item[..colon].TrimEnd(), line)!, colon + 1 < item.Length ? ReadScalar(item[(colon + 1)..].Trim(), line) : null))
                        {
                            throw Error(line, $"bad flow mapping entry '{item}'");
                        }
                    }

                    return map;
                case '"' or '\'':
                    return EndOfQuoted(text, 0) == text.Length - 1 ? Unquote(text, line) : throw Error(line, "text after a quoted scalar");
                case '|' or '>' or '!' or '%' or '@' or '`' or '&':
                    throw Error(line, $"'{text[0]}' (block scalars, tags, anchors here) is not supported by this reader");
                default:
                    return text is "~" or "null" ? null : text;
            }
        }

        private List<string> SplitFlow(string inner, Line line)
        {
            var items = new List<string>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i <= inner.Length; i++)
            {
                if (i < inner.Length && inner[i] is '"' or '\'')
                {
                    i = EndOfQuoted(inner, i);
                    if (i < 0)
                    {
                        throw Error(line, "unterminated quoted scalar");
                    }
                }
                else if (i < inner.Length && inner[i] is '[' or '{')
                {
                    depth++;
                }
                else if (i < inner.Length && inner[i] is ']' or '}')
                {
                    depth--;
                }
                else if (i == inner.Length || inner[i] is ',' && depth == 0)
                {
                    var item = inner[start..i].Trim();
                    if (item.Length == 0 && (i < inner.Length || items.Count > 0))
                    {
                        throw Error(line, "empty flow entry");
                    }

                    if (item.Length > 0)
                    {
                        items.Add(item);
                    }

                    start = i + 1;
                }
            }

            return items;
        }

        private string Unquote(string text, Line line)
        {
            if (text[0] is '\'')
            {
                return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
            }

            var result = new StringBuilder();
            for (var i = 1; i < text.Length - 1; i++)
            {
                if (text[i] is not '\\')
                {
                    result.Append(text[i]);
                    continue;
                }

                i++;
                result.Append(text[i] switch
                {
                    '\\' or '"' or '/' => text[i],
                    'n' => '\n',
                    't' => '\t',
                    _ => throw Error(line, $"unsupported escape \\{text[i]}"),
                });
            }

            return result.ToString();
        }

        private void ThrowIfDeeper(int indent)
        {
            if (_index < _lines.Count && _lines[_index].Indent > indent)
            {
                throw Error(_lines[_index], "unexpected indentation (multi-line scalars are not supported)");
            }
        }

        private InvalidDataException Error(Line line, string message) => new($"{_file}:{line.Number}: {message}: {line.Text}");

        private static bool IsSequenceItem(string text) => text is "-" || text.StartsWith("- ", StringComparison.Ordinal);

        /// <summary>The colon that ends a key (followed by a space or the end), or -1 when the text is not "key: value".</summary>
        private static int KeyColon(string text)
        {
            if (text[0] is '[' or '{' or '*' or '&' or '|' or '>')
            {
                return -1;
            }

            var i = 0;
            if (text[0] is '"' or '\'')
            {
                i = EndOfQuoted(text, 0);
                if (i < 0)
                {
                    return -1;
                }

                i++;
                while (i < text.Length && text[i] is ' ')
                {
                    i++;
                }

                return i < text.Length && text[i] is ':' && (i + 1 == text.Length || text[i + 1] is ' ') ? i : -1;
            }

            for (; i < text.Length; i++)
            {
                if (text[i] is ':' && (i + 1 == text.Length || text[i + 1] is ' '))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The index of the quote that closes the one at <paramref name="start"/>, or -1.</summary>
        private static int EndOfQuoted(string text, int start)
        {
            var quote = text[start];
            for (var i = start + 1; i < text.Length; i++)
            {
                if (quote is '"' && text[i] is '\\')
                {
                    i++;
                }
                else if (text[i] == quote)
                {
                    if (quote is '\'' && i + 1 < text.Length && text[i + 1] is '\'')
                    {
                        i++;
                        continue;
                    }

                    return i;
                }
            }

            return -1;
        }

        /// <summary>Cuts a comment: a '#' at the start or after a space, outside a quoted scalar.</summary>
        private static string StripComment(string line)
        {
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] is '"' or '\'' && (i == 0 || line[i - 1] is ' ' or '[' or '{' or ','))
                {
                    var end = EndOfQuoted(line, i);
                    if (end < 0)
                    {
                        return line;
                    }

                    i = end;
                }
                else if (line[i] is '#' && (i == 0 || line[i - 1] is ' '))
                {
                    return line[..i];
                }
            }

            return line;
        }

        private readonly record struct Line(int Indent, string Text, int Number);
    }
}
