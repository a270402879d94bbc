using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// A crate published to the running system with real cargo and built by its builders for every target, once for
/// every test that reads it: 1.0.0, 1.1.0 (then yanked) and 2.0.0-beta.1.
/// </summary>
public static class PublishedCrates
{
    public const string Demo = "buildsrs-api-demo";
    public static readonly string[] Versions = ["1.0.0", "1.1.0", "2.0.0-beta.1"];
    public const string Yanked = "1.1.0";

    /// <summary>The targets the local system builds: the AppHost enables every target provisioning made an image for.</summary>
    public static IReadOnlyList<string> Targets { get; } = [.. RepositoryPaths.BuildImages.Keys.Order(StringComparer.Ordinal)];
    private static readonly Lock Gate = new();
    private static Task? publishing;

    /// <summary>Publishes and builds the crate once; a failure fails every test that reads it, with the same reason.</summary>
    public static Task EnsureDemoAsync(BuildsRsAppFixture fixture)
    {
        lock (Gate)
        {
            return publishing ??= PublishAsync(fixture);
        }
    }

    private static async Task PublishAsync(BuildsRsAppFixture fixture)
    {
        var work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-published-" + Guid.NewGuid().ToString("N"));
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(work, registry, fixture.Secret("registry.token"));
        foreach (var version in Versions)
        {
            await cargo.PublishAsync(Demo, version, $"fn main() {{ println!(\"{Demo} {version}\"); }}\n");
        }
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        while (await db.Jobs.CountAsync(j => j.Version.Crate.Name == Demo && j.Kind == JobKind.Binary && j.State == JobState.Succeeded, timeout.Token) < Versions.Length * Targets.Count)
        {
            var failed = await db.Jobs.Where(j => j.Version.Crate.Name == Demo && j.State == JobState.Failed).Select(j => j.Error).FirstOrDefaultAsync(timeout.Token);
            if (failed is not null)
            {
                throw new InvalidOperationException($"a job of {Demo} failed: {failed}");
            }
            await Task.Delay(500, timeout.Token);
        }
        await cargo.RunAsync(work, "yank", "--registry", "local", "--version", Yanked, Demo);
        while (!await db.Versions.AnyAsync(v => v.Crate.Name == Demo && v.Version == Yanked && v.Yanked, timeout.Token))
        {
            await Task.Delay(250, timeout.Token);
        }
    }
}
