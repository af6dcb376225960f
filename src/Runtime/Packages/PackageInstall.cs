namespace Granary.Runtime.Packages;

/// <summary>The outcome of <see cref="NpmPackages.EnsureAsync"/>.</summary>
/// <param name="Directory">The install directory (it contains <c>node_modules</c>); null when there is nothing to install or the install failed.</param>
/// <param name="Error">Why the install failed, with npm's own message; null on success.</param>
public sealed record PackageInstall(string? Directory, string? Error);
