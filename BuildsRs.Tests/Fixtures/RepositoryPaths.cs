namespace BuildsRs.Tests.Fixtures;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Provisioning => Path.Combine(Root, "provisioning");

    /// <summary>Where provisioning keeps what it built (see provisioning/common.sh).</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("BUILDSRS_STATE_DIR") is { Length: > 0 } dir ? dir : "/var/tmp/buildsrs";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BuildsRs.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The tests run from outside the repository: BuildsRs.sln not found above " + AppContext.BaseDirectory);
    }
}
