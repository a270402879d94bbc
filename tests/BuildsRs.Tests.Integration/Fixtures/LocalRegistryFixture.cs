using System.Diagnostics;
using BuildsRs.LocalRegistry;
using Microsoft.AspNetCore.Builder;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// A local registry of real crates (a fresh copy of the provisioned seed) served on a free port, and real cargo
/// configured to publish to it and to install from it in place of crates.io.
/// </summary>
public sealed class LocalRegistryFixture : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef";
    private readonly string root = Path.Combine(Path.GetTempPath(), "buildsrs-tests-registry-" + Guid.NewGuid().ToString("N"));
    private WebApplication? app;

    public Uri Url { get; private set; } = null!;
    public string GitIndexUrl => new Uri(Url, "git/index").ToString();
    public Uri SparseIndexUrl => new(Url, "index/");
    public string IndexDirectory => Path.Combine(root, "data", "index");
    public CargoClient Cargo { get; private set; } = null!;
    public string CargoHome => Cargo.Home;

    public static async Task<LocalRegistryFixture> StartAsync()
    {
        var registry = new LocalRegistryFixture();
        await registry.InitializeAsync();
        return registry;
    }

    private async Task InitializeAsync()
    {
        var port = FreePorts.Next();
        Url = new Uri($"http://127.0.0.1:{port}/");
        app = await LocalRegistryApp.CreateAsync([
            "--urls", Url.ToString(),
            "--Logging:LogLevel:Default=Warning",
            $"--LocalRegistry:DataDirectory={Path.Combine(root, "data")}",
            $"--LocalRegistry:SeedDirectory={Path.Combine(RepositoryPaths.StateDirectory, "registry-seed")}",
            $"--LocalRegistry:PublicUrl={Url}",
            $"--LocalRegistry:PublishToken={Token}",
        ]);
        await app.StartAsync();

        Cargo = await CargoClient.CreateAsync(Path.Combine(root, "cargo-home"), SparseIndexUrl, Token);
    }

    /// <summary>Publishes a new binary crate with real <c>cargo publish</c>.</summary>
    public Task PublishAsync(string name, string version) => Cargo.PublishAsync(name, version);

    /// <summary>Publishes a <c>.crate</c> made by hand (see <see cref="HandMadeCrates"/>), with the dependencies of its
    /// index line as cargo's publish request spells them (<paramref name="dependencies"/>, a JSON array), as a registry
    /// that stores whatever it is given would.</summary>
    public async Task PublishHandMadeAsync(string name, string version, byte[] crate, string dependencies = "[]")
    {
        using var http = new HttpClient { BaseAddress = Url };
        using var request = HandMadeCrates.PublishRequest($$$"""{"name":"{{{name}}}","vers":"{{{version}}}","deps":{{{dependencies}}},"features":{}}""", crate, Token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"publishing {name} {version} failed: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Runs real cargo against this registry; throws with cargo's output when it fails.</summary>
    public Task<string> CargoAsync(string workingDirectory, params string[] arguments) => Cargo.RunAsync(workingDirectory, arguments);

    /// <summary>Runs git in the registry's index working tree, as an operator editing it by hand would.</summary>
    public async Task<string> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = IndexDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "tests";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "tests@localhost";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        return git.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Directory.Delete(root, recursive: true);
    }

}
