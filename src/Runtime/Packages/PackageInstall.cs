namespace Granary.Runtime.Packages;

/// <summary>The outcome of <see cref="NpmPackages.EnsureAsync"/> and <see cref="PipPackages.EnsureAsync"/>.</summary>
/// <param name="Directory">The install directory (npm: it contains <c>node_modules</c>; pip: its <c>site-packages</c>); null when there is nothing to install or the install failed.</param>
/// <param name="Error">Why the install failed, with the tool's own message; null on success.</param>
public sealed record PackageInstall(string? Directory, string? Error);
