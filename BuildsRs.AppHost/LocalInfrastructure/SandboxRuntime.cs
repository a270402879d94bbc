using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace BuildsRs.AppHost.LocalInfrastructure;

internal static class SandboxRuntime
{
    /// <summary>
    /// The Docker runtime builds run in: <c>Builder:Sandbox:Runtime</c>, or else the one provisioning found the engine
    /// can run (provisioning/sandbox-runtime.sh records <c>runsc</c>, gVisor, when it can); none is the engine's default.
    /// </summary>
    public static string? Resolve(IConfiguration configuration, LocalPaths paths)
    {
        if (configuration["Builder:Sandbox:Runtime"] is { } configured)
        {
            return configured.Length > 0 ? configured : null;
        }
        var record = Path.Combine(paths.StateDirectory, "sandbox-runtime");
        return File.Exists(record) && File.ReadAllText(record).Trim() is { Length: > 0 } recorded ? recorded : null;
    }

    public static IResourceBuilder<ProjectResource> WithSandboxRuntime(this IResourceBuilder<ProjectResource> builders, string? runtime) =>
        runtime is null ? builders : builders.WithEnvironment("Builder__Sandbox__Runtime", runtime);
}
