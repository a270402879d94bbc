using System.Collections;
using System.Security.Cryptography;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Api;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BuildsRs.Tests.SystemTests;

/// <summary>install.ps1, for Windows users, run by the real PowerShell engine against the running system: the same
/// checks and refusals as install.sh, and a Windows binary that runs under wine once installed.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class PowerShellInstallationTests(BuildsRsAppFixture fixture) : IAsyncLifetime
{
    private const string Demo = PublishedCrates.Demo;
    private const string Windows = "x86_64-pc-windows-gnu";

    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-ps1-").FullName;
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        await PublishedCrates.EnsureDemoAsync(fixture);
        api = new HttpClient { BaseAddress = fixture.App.GetEndpoint("api", "http") };
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        Directory.Delete(work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_PowerShell_script_installs_the_Windows_build_after_checking_its_hash_and_signature()
    {
        var to = Path.Combine(work, "bin");

        var (succeeded, output) = await PowerShellScript.RunAsync(await api.GetStringAsync("/install.ps1"),
            new Hashtable { ["Crate"] = Demo, ["Target"] = Windows, ["To"] = to });

        Assert.True(succeeded, output);
        Assert.Contains($"install.ps1: signature checked with minisign (key {await PublicKeyAsync()}): {Demo} 1.0.0 for {Windows}", output, StringComparison.Ordinal);
        var exe = Path.Combine(to, Demo + ".exe");
        Assert.Contains($"installed {exe}", output, StringComparison.Ordinal);
        Assert.Equal("x86-64", PeBinary.Read(exe)!.Machine);
        // What the builder read of the exe is what the API says of the artifact.
        var version = await api.GetFromJsonAsync($"/api/v1/crates/{Demo}/1.0.0", ApiJsonContext.Default.VersionDetails);
        var artifact = version!.Targets.Single(t => t.Target == Windows).Artifacts.Single();
        Assert.Equal(("x86-64", "console"), (artifact.Machine, artifact.Subsystem));
        Assert.Equal(PeBinary.Read(exe)!.Dlls, artifact.Dlls);
        var run = await TargetBinaries.RunAsync(Windows, exe);
        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal($"{Demo} 1.0.0", run.Output.Trim());
    }

    [Fact]
    public async Task The_PowerShell_script_explains_when_nothing_is_built_and_installs_nothing()
    {
        var to = Path.Combine(work, "none");
        var script = await api.GetStringAsync("/install.ps1");

        var wrongTarget = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = Demo, ["Target"] = "wasm32-unknown-unknown", ["To"] = to });
        var unknown = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = "buildsrs-no-such-crate", ["To"] = to });
        var noCrate = await PowerShellScript.RunAsync(script, new Hashtable { ["To"] = to });

        Assert.False(wrongTarget.Succeeded);
        Assert.Contains("has a successful build for wasm32-unknown-unknown", wrongTarget.Output, StringComparison.Ordinal);
        Assert.False(unknown.Succeeded);
        Assert.Contains("no crate named 'buildsrs-no-such-crate'", unknown.Output, StringComparison.Ordinal);
        Assert.False(noCrate.Succeeded);
        Assert.Contains("install.ps1: which crate? usage: install.ps1 CRATE", noCrate.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
    }

    [Fact]
    public async Task The_PowerShell_script_refuses_an_archive_whose_signature_is_for_another_one()
    {
        // Storage an attacker controls serves the 1.0.0 archive and its genuine signature for 2.0.0-beta.1 and for
        // another target.
        var archive = await api.GetByteArrayAsync($"/builds/{Demo}/1.0.0/{Windows}");
        var signature = await api.GetStringAsync($"/builds/{Demo}/1.0.0/{Windows}.minisig");
        await using var storage = await StorageAsync(archive, signature);
        var script = Pointed(await api.GetStringAsync("/install.ps1"), storage.Url);
        var to = Path.Combine(work, "swapped");

        var olderVersion = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = Demo, ["Version"] = "2.0.0-beta.1", ["Target"] = Windows, ["To"] = to });
        var otherTarget = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = Demo, ["Version"] = "1.0.0", ["Target"] = "aarch64-unknown-linux-gnu", ["To"] = to });

        Assert.False(olderVersion.Succeeded);
        Assert.Contains($"the signature is for version 1.0.0 of {Demo}, not 2.0.0-beta.1; nothing installed", olderVersion.Output, StringComparison.Ordinal);
        Assert.False(otherTarget.Succeeded);
        Assert.Contains($"the signature is for the target {Windows}, not aarch64-unknown-linux-gnu; nothing installed", otherTarget.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
    }

    [Fact]
    public async Task The_PowerShell_script_refuses_an_unsigned_archive_unless_told_and_then_says_only_the_hash_was_checked()
    {
        var archive = await api.GetByteArrayAsync($"/builds/{Demo}/1.0.0/{Windows}");
        await using var storage = await StorageAsync(archive, signature: null);
        var script = Pointed(await api.GetStringAsync("/install.ps1"), storage.Url);
        var (refused, allowed) = (Path.Combine(work, "refused"), Path.Combine(work, "allowed"));

        var strict = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = Demo, ["Target"] = Windows, ["To"] = refused });
        var lenient = await PowerShellScript.RunAsync(script, new Hashtable { ["Crate"] = Demo, ["Target"] = Windows, ["To"] = allowed, ["AllowUnsigned"] = true });

        Assert.False(strict.Succeeded);
        Assert.Contains("has no signature; nothing installed (-AllowUnsigned installs it with only its SHA-256 checked)", strict.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));
        Assert.True(lenient.Succeeded, lenient.Output);
        Assert.Contains("has no signature; only its SHA-256 was checked", lenient.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(allowed, Demo + ".exe")));
    }

    private async Task<string> PublicKeyAsync() => (await api.GetStringAsync("/signing-key.pub")).Split('\n')[1].Trim();

    /// <summary>The script with its service's address replaced by <paramref name="url"/>.</summary>
    private static string Pointed(string script, Uri url) =>
        System.Text.RegularExpressions.Regex.Replace(script, "^\\$base = '[^']*'", $"$base = '{url.ToString().TrimEnd('/')}'",
            System.Text.RegularExpressions.RegexOptions.Multiline);

    /// <summary>Storage that serves <paramref name="archive"/> for any crate, version and target, with its true
    /// checksum, and <paramref name="signature"/> (genuine, of that archive) or none.</summary>
    private static Task<LoopbackSite> StorageAsync(byte[] archive, string? signature)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(archive));
        return LoopbackSite.StartAsync(app => app.MapGet("/builds/{crate}/{version}/{file}", (string crate, string version, string file) =>
            file.EndsWith(".sha256", StringComparison.Ordinal) ? Results.Text($"{sha256}  {crate}-{version}.tar.gz\n")
            : file.EndsWith(".minisig", StringComparison.Ordinal) ? signature is null ? Results.NotFound() : Results.Text(signature)
            : Results.Bytes(archive, "application/gzip")));
    }
}
