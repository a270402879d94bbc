namespace BuildsRs.Tests.Fixtures;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Provisioning => Path.Combine(Root, "provisioning");

    /// <summary>Where provisioning keeps what it built (see provisioning/common.sh).</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("BUILDSRS_STATE_DIR") is { Length: > 0 } dir ? dir : "/var/tmp/buildsrs";

    /// <summary>The build image of each target, as provisioning/builder-image.sh recorded them.</summary>
    public static IReadOnlyDictionary<string, string> BuildImages =>
        Directory.GetFiles(Path.Combine(StateDirectory, "builder-images")).Where(f => Path.GetExtension(f) is "")
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Trim(), StringComparer.Ordinal);

    /// <summary>The Docker runtime sandboxes run in, as provisioning/sandbox-runtime.sh recorded it (gVisor's
    /// <c>runsc</c> where the engine has it); null for the engine's default.</summary>
    public static string? SandboxRuntime =>
        File.Exists(Path.Combine(StateDirectory, "sandbox-runtime")) && File.ReadAllText(Path.Combine(StateDirectory, "sandbox-runtime")).Trim() is { Length: > 0 } runtime
            ? runtime
            : null;

    public const string HostTarget = "x86_64-unknown-linux-gnu";

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
