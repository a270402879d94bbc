using System.Security.Cryptography;

namespace BuildsRs.AppHost.LocalInfrastructure;

/// <summary>Where the local system finds the provisioning scripts and keeps its data between runs.</summary>
internal sealed class LocalPaths(IDistributedApplicationBuilder builder)
{
    /// <summary>Shared with provisioning/common.sh: reachable by the postgres user, unlike root's home.</summary>
    public string StateDirectory { get; } =
        Environment.GetEnvironmentVariable("BUILDSRS_STATE_DIR") is { Length: > 0 } dir ? dir : "/var/tmp/buildsrs";

    public string ProvisioningDirectory { get; } = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "provisioning"));

    /// <summary>Postgres and S3 data; tests point this at a fresh folder.</summary>
    public string DataDirectory =>
        builder.Configuration["LocalInfrastructure:DataDirectory"] is { Length: > 0 } dir ? dir : Path.Combine(StateDirectory, "data");

    /// <summary>A random secret kept beside the data it protects, so a persistent database keeps its password.</summary>
    public string ReadOrCreateSecret(string name)
    {
        Directory.CreateDirectory(DataDirectory);
        var path = Path.Combine(DataDirectory, name);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return File.ReadAllText(path).Trim();
    }
}
