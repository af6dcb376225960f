using Granary.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Silo.Hosting;

/// <summary>
/// <c>Granary.Silo db migrate</c>: creates the tables Orleans' ADO.NET storage needs in the database of
/// <c>Granary:Storage</c> (from the same settings a silo reads: environment, appsettings.json, command line) and exits.
/// For deployments where silos run with <c>Granary:Storage:ApplySchema=false</c> and no right to create tables.
/// </summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        var problems = SectionValidation.Check(StorageOptions.SectionName, storage);
        if (problems.Failed)
        {
            await Console.Error.WriteLineAsync($"db migrate: {problems.FailureMessage}");
            return 2;
        }

        if (!storage.IsAdoNet)
        {
            await Console.Error.WriteLineAsync($"db migrate: {StorageOptions.SectionName}:Provider is '{storage.Provider}'; set it to '{StorageOptions.AdoNetProvider}' with {StorageOptions.SectionName}:Database and {StorageOptions.SectionName}:ConnectionString.");
            return 2;
        }

        try
        {
            var applied = await AdoNetSchema.ApplyAsync(storage.Database!.ToLowerInvariant(), storage.ConnectionString!, NullLogger.Instance, CancellationToken.None);
            await Console.Out.WriteLineAsync(applied ? $"db migrate: created the Granary tables in the {storage.Database} database." : $"db migrate: the {storage.Database} database already has the Granary tables; nothing to do.");
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"db migrate: {ex.Message}");
            return 1;
        }
    }
}
