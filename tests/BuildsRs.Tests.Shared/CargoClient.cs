using System.Diagnostics;

namespace BuildsRs.Tests.Fixtures;

/// <summary>Real cargo with a home of its own, pointed at a registry (for publishing, and in place of crates.io).</summary>
public sealed class CargoClient
{
    private readonly string token;

    private CargoClient(string home, string token)
    {
        Home = home;
        this.token = token;
    }

    public string Home { get; }

    public static async Task<CargoClient> CreateAsync(string home, Uri sparseIndexUrl, string token)
    {
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, "config.toml"), $"""
            [source.crates-io]
            replace-with = "local"
            [source.local]
            registry = "sparse+{sparseIndexUrl}"
            [registries.local]
            index = "sparse+{sparseIndexUrl}"
            """);
        return new CargoClient(home, token);
    }

    /// <summary>Manifest lines that have BuildsRs build a crate for <paramref name="target"/> alone: for tests that
    /// follow one build, so that the builders are not kept busy with the same work for every other target.</summary>
    public static string BuildOnlyFor(string target) => $"[package.metadata.buildsrs]\ntargets = [\"{target}\"]";

    /// <summary>Publishes a new binary crate whose <c>main</c> is <paramref name="mainRs"/>, with a build script if given
    /// and <paramref name="manifest"/> added to its <c>Cargo.toml</c>.</summary>
    public async Task PublishAsync(string name, string version, string mainRs = "fn main() { println!(\"hello\"); }\n", string? buildRs = null,
        string manifest = "")
    {
        var source = Path.Combine(Home, "sources", $"{name}-{version}");
        Directory.CreateDirectory(Path.Combine(source, "src"));
        await File.WriteAllTextAsync(Path.Combine(source, "Cargo.toml"), $"""
            [package]
            name = "{name}"
            version = "{version}"
            edition = "2021"
            description = "A crate published by the tests"
            license = "MIT"
            {manifest}
            """);
        await File.WriteAllTextAsync(Path.Combine(source, "src", "main.rs"), mainRs);
        if (buildRs is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(source, "build.rs"), buildRs);
        }
        await RunAsync(source, "publish", "--registry", "local", "--no-verify", "--allow-dirty");
    }

    /// <summary>Runs cargo; throws with cargo's output when it fails.</summary>
    public async Task<string> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("cargo")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["CARGO_HOME"] = Home,
                ["CARGO_REGISTRIES_LOCAL_TOKEN"] = token,
                ["RUSTUP_TOOLCHAIN"] = "stable",
                ["CARGO_TERM_COLOR"] = "never",
            },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var cargo = Process.Start(start)!;
        var output = cargo.StandardOutput.ReadToEndAsync();
        var error = cargo.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await cargo.WaitForExitAsync(timeout.Token);
        return cargo.ExitCode == 0
            ? await output + await error
            : throw new InvalidOperationException($"cargo {string.Join(' ', arguments)} failed: {await error}");
    }
}
