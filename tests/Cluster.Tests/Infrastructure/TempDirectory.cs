namespace Granary.Cluster.Tests.Infrastructure;

internal static class TempDirectory
{
    /// <summary>Deletes a temporary directory, leaving it to the OS temp cleaner if a file is still held.</summary>
    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
