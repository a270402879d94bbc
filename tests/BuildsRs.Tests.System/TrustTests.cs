using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using BuildsRs.Api.Trust;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.SystemTests;

/// <summary>
/// Every binary can be checked three ways: the Api's signature (with Debian's minisign, or install.sh's own check), its
/// signed provenance, and a second builder that builds it again from the same inputs.
/// </summary>
[Collection(SystemTestGroup.Name)]
public sealed class TrustTests(BuildsRsAppFixture fixture) : IAsyncLifetime
{
    private const string Trusted = "buildsrs-trusted";
    private const string Unstable = "buildsrs-unstable";
    private const string Target = RepositoryPaths.HostTarget;
    private static readonly string[] ToolFolders = ["/usr/bin", "/bin"];
    private static readonly Lock Gate = new();
    private static Task? published;

    private readonly string work = Directory.CreateTempSubdirectory("buildsrs-tests-trust-").FullName;
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        api = new HttpClient { BaseAddress = fixture.App.GetEndpoint("api", "http") };
        // Published and checked once for every test of the class; a failure fails each of them with its reason.
        lock (Gate)
        {
            published ??= PublishAndVerifyAsync();
        }
        await published;
    }

    private async Task PublishAndVerifyAsync()
    {
                // One target keeps this cheap: what is checked here is the same for every target.
                var onlyHost = CargoClient.BuildOnlyFor(Target);
                var cargo = await CargoClient.CreateAsync(Path.Combine(Path.GetTempPath(), "buildsrs-tests-trust-cargo-" + Guid.NewGuid().ToString("N")),
                    new Uri(fixture.App.GetEndpoint("registry", "http"), "index/"), fixture.Secret("registry.token"));
                await cargo.PublishAsync(Trusted, "1.0.0", manifest: onlyHost);
                await cargo.PublishAsync(Unstable, "1.0.0", manifest: onlyHost,
                    mainRs: "fn main() { println!(\"built at {}\", include_str!(concat!(env!(\"OUT_DIR\"), \"/stamp\"))); }\n",
                    buildRs: """
                        fn main() {
                            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                            std::fs::write(std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("stamp"), now.to_string()).unwrap();
                        }
                        """);
                await VerifiedAsync(Trusted);
                await VerifiedAsync(Unstable);
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        Directory.Delete(work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_build_is_reproduced_by_the_other_builder_and_the_api_says_by_whom_and_when()
    {
        await using var db = await fixture.CreateDbContextAsync();
        var maker = await db.Artifacts.Where(a => a.Job.Version.Crate.Name == Trusted).Select(a => a.Job.Builder!.Name).SingleAsync();
        var verdict = await db.ArtifactVerifications.Include(v => v.Builder).SingleAsync(v => v.Artifact.Job.Version.Crate.Name == Trusted);

        var artifact = await ArtifactAsync(Trusted);

        Assert.True(verdict.Reproduced, string.Join(", ", verdict.Differences));
        Assert.NotEqual(maker, verdict.Builder.Name);
        Assert.Equal(artifact.Sha256, verdict.ArchiveSha256);
        Assert.Equal(VerificationState.Reproduced, artifact.Verification);
        Assert.Equal([verdict.Builder.Name], artifact.ReproducedBy!);
        Assert.NotNull(artifact.VerifiedAt);
    }

    [Fact]
    public async Task A_build_that_embeds_the_time_is_recorded_as_differing_and_names_the_binary_that_differs()
    {
        var artifact = await ArtifactAsync(Unstable);

        Assert.Equal(VerificationState.Differs, artifact.Verification);
        Assert.Equal([Unstable], artifact.Differences!);
        Assert.Empty(artifact.ReproducedBy!);
    }

    [Fact]
    public async Task A_download_verifies_with_minisign_against_the_published_key_and_fails_when_modified_or_for_another_key()
    {
        var archive = Path.Combine(work, $"{Trusted}-1.0.0-{Target}.tar.gz");
        await File.WriteAllBytesAsync(archive, await api.GetByteArrayAsync($"/builds/{Trusted}/1.0.0/{Target}"));
        var signature = await api.GetStringAsync($"/builds/{Trusted}/1.0.0/{Target}.minisig");
        await File.WriteAllTextAsync(archive + ".minisig", signature);
        var key = Path.Combine(work, "signing-key.pub");
        await File.WriteAllTextAsync(key, await api.GetStringAsync("/signing-key.pub"));
        using var stranger = new ArtifactSigner(Options.Create(new SigningOptions { SecretKey = "a key this service has never used, long enough" }));

        var good = await Processes.RunAsync("minisign", "-Vm", archive, "-p", key);
        var otherKey = await Processes.RunAsync("minisign", "-Vm", archive, "-P", stranger.PublicKey);
        var bytes = await File.ReadAllBytesAsync(archive);
        bytes[^10] ^= 0xff;
        await File.WriteAllBytesAsync(archive, bytes);
        var modified = await Processes.RunAsync("minisign", "-Vm", archive, "-p", key);

        Assert.True(good.ExitCode == 0, good.Errors);
        Assert.Contains($"crate:{Trusted}\tversion:1.0.0\ttarget:{Target}\tsha256:{(await ArtifactAsync(Trusted)).Sha256}", good.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, otherKey.ExitCode);
        Assert.NotEqual(0, modified.ExitCode);
        Assert.Equal(signature, await api.GetStringAsync($"/builds/{Trusted}-1.0.0/{Trusted}-1.0.0-{Target}.tar.gz.minisig"));
    }

    [Fact]
    public async Task The_provenance_is_signed_by_the_same_key_and_names_the_archive_the_crate_the_lockfile_the_image_and_the_builder()
    {
        var envelope = JsonSerializer.Deserialize(await api.GetStringAsync($"/builds/{Trusted}/1.0.0/{Target}.intoto.jsonl"),
            ProvenanceJsonContext.Default.DsseEnvelope)!;
        var keys = (await api.GetFromJsonAsync("/api/v1/signing-keys", ApiJsonContext.Default.SigningKeys))!;
        var payload = Convert.FromBase64String(envelope.Payload);
        var statement = JsonSerializer.Deserialize(payload, ProvenanceJsonContext.Default.InTotoStatement)!;
        var artifact = await ArtifactAsync(Trusted);
        var version = (await api.GetFromJsonAsync($"/api/v1/crates/{Trusted}/1.0.0", ApiJsonContext.Default.VersionDetails))!;
        var lockfile = await api.GetStringAsync($"/builds/{Trusted}/1.0.0/{Target}.Cargo.lock");
        await using var db = await fixture.CreateDbContextAsync();
        var builder = await db.Artifacts.Where(a => a.Job.Version.Crate.Name == Trusted).Select(a => a.Job.Builder!.Fingerprint).SingleAsync();

        var signature = Assert.Single(envelope.Signatures);
        Assert.Equal((Dsse.InTotoPayloadType, keys.Current.KeyId), (envelope.PayloadType, signature.KeyId));
        Assert.True(Verifies(keys.Current.PublicKey, Dsse.PreAuthenticationEncoding(envelope.PayloadType, payload), signature.Sig));
        payload[^5] ^= 1;
        Assert.False(Verifies(keys.Current.PublicKey, Dsse.PreAuthenticationEncoding(envelope.PayloadType, payload), signature.Sig));
        Assert.Equal(("https://in-toto.io/Statement/v1", "https://slsa.dev/provenance/v1"), (statement.Type, statement.PredicateType));
        var subject = Assert.Single(statement.Subject);
        Assert.Equal((artifact.File, artifact.Sha256), (subject.Name, subject.Digest["sha256"]));
        var inputs = statement.Predicate.BuildDefinition.ResolvedDependencies.ToDictionary(d => d.Name, d => d.Digest["sha256"]);
        Assert.Equal(version.Checksum, inputs[$"{Trusted}-1.0.0.crate"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lockfile))), inputs["Cargo.lock"]);
        Assert.Matches("^[0-9a-f]{64}$", inputs["build-image"]);
        Assert.Equal((Trusted, "1.0.0", Target), (statement.Predicate.BuildDefinition.ExternalParameters.Crate,
            statement.Predicate.BuildDefinition.ExternalParameters.Version, statement.Predicate.BuildDefinition.ExternalParameters.Target));
        Assert.StartsWith("rustc 1.", statement.Predicate.BuildDefinition.InternalParameters.Toolchain, StringComparison.Ordinal);
        Assert.Equal($"urn:buildsrs:builder:{builder}", statement.Predicate.RunDetails.Builder.Id);
        Assert.Equal($"urn:buildsrs:job:{artifact.JobId}", statement.Predicate.RunDetails.Metadata.InvocationId);
        Assert.True(statement.Predicate.RunDetails.Metadata.StartedOn <= statement.Predicate.RunDetails.Metadata.FinishedOn);
        Assert.Contains($"name = \"{Trusted}\"", lockfile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_provenance_names_the_settings_the_build_ran_with_even_after_the_version_says_otherwise()
    {
        var path = $"/builds/{Trusted}/1.0.0/{Target}.intoto.jsonl";
        var before = await api.GetStringAsync(path);
        await using var db = await fixture.CreateDbContextAsync();
        var version = await db.Versions.Where(v => v.Crate.Name == Trusted && v.Version == "1.0.0").Select(v => new { v.Id, v.BuildSettings }).SingleAsync();
        string after;
        try
        {
            // As a later metadata job would leave the version after its author changed the settings.
            await db.Versions.Where(v => v.Id == version.Id)
                .ExecuteUpdateAsync(v => v.SetProperty(x => x.BuildSettings, """{"features":["not-built-with"]}"""));
            after = await api.GetStringAsync(path);
        }
        finally
        {
            await db.Versions.Where(v => v.Id == version.Id).ExecuteUpdateAsync(v => v.SetProperty(x => x.BuildSettings, version.BuildSettings));
        }

        Assert.Equal(before, after);
        var statement = JsonSerializer.Deserialize(Convert.FromBase64String(
            JsonSerializer.Deserialize(after, ProvenanceJsonContext.Default.DsseEnvelope)!.Payload), ProvenanceJsonContext.Default.InTotoStatement)!;
        Assert.DoesNotContain("not-built-with", statement.Predicate.BuildDefinition.ExternalParameters.Features);
    }

    [Fact]
    public async Task The_install_script_refuses_an_archive_whose_signature_does_not_verify_even_when_its_checksum_was_replaced_too()
    {
        var real = await api.GetByteArrayAsync($"/builds/{Trusted}/1.0.0/{Target}");
        var tampered = (byte[])real.Clone();
        tampered[^10] ^= 0xff;
        var signature = await api.GetStringAsync($"/builds/{Trusted}/1.0.0/{Target}.minisig");
        await using var storage = await ForgedStorageAsync(tampered, signature);
        var script = await ScriptAsync(storage.Url);
        var to = Path.Combine(work, "tampered");

        var (exitCode, output) = await ShAsync(script, null, Trusted, "--to", to);

        Assert.Equal(1, exitCode);
        Assert.Contains("does not verify with the key", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to) && Directory.EnumerateFileSystemEntries(to).Any());
    }

    [Fact]
    public async Task The_install_script_checks_the_signature_with_openssl_where_minisign_is_missing()
    {
        var script = await ScriptAsync(null);
        var real = await api.GetByteArrayAsync($"/builds/{Trusted}/1.0.0/{Target}");
        var tampered = (byte[])real.Clone();
        tampered[^10] ^= 0xff;
        await using var storage = await ForgedStorageAsync(tampered, await api.GetStringAsync($"/builds/{Trusted}/1.0.0/{Target}.minisig"));

        var genuine = await ShAsync(script, ToolsFolder("minisign"), Trusted, "--to", Path.Combine(work, "openssl"));
        var forged = await ShAsync(await ScriptAsync(storage.Url), ToolsFolder("minisign"), Trusted, "--to", Path.Combine(work, "openssl-forged"));

        Assert.True(genuine.ExitCode == 0, genuine.Output);
        Assert.Contains("signature checked with openssl", genuine.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "openssl", Trusted)));
        Assert.Equal(1, forged.ExitCode);
        Assert.Contains("does not verify with the key", forged.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_install_script_refuses_an_archive_without_a_signature_unless_told_to_allow_it()
    {
        await using var storage = await ForgedStorageAsync(await api.GetByteArrayAsync($"/builds/{Trusted}/1.0.0/{Target}"), null);
        var script = await ScriptAsync(storage.Url);
        var (refused, allowed) = (Path.Combine(work, "unsigned"), Path.Combine(work, "unsigned-allowed"));

        var strict = await ShAsync(script, null, Trusted, "--to", refused);
        var lenient = await ShAsync(script, null, Trusted, "--to", allowed, "--allow-unsigned");

        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("has no signature; nothing installed (--allow-unsigned", strict.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));
        Assert.True(lenient.ExitCode == 0, lenient.Output);
        Assert.Contains("has no signature; only its SHA-256 was checked", lenient.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(allowed, Trusted)));
    }

    [Fact]
    public async Task The_install_script_refuses_when_neither_minisign_nor_openssl_is_there_to_check_the_signature()
    {
        var script = await ScriptAsync(null);
        var to = Path.Combine(work, "no-tools");

        var (exitCode, output) = await ShAsync(script, ToolsFolder("minisign", "openssl"), Trusted, "--to", to);

        Assert.Equal(1, exitCode);
        Assert.Contains("neither minisign nor openssl 3 is here to check the signature", output, StringComparison.Ordinal);
        Assert.Contains("nothing installed", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
    }

    [Fact]
    public async Task The_install_script_refuses_another_genuine_archive_of_the_service_in_place_of_the_one_asked_for()
    {
        const string demo = PublishedCrates.Demo;
        await PublishedCrates.EnsureDemoAsync(fixture);
        var older = await api.GetByteArrayAsync($"/builds/{demo}/1.0.0/{Target}");
        await using var storage = await ForgedStorageAsync(older, await api.GetStringAsync($"/builds/{demo}/1.0.0/{Target}.minisig"));
        var script = await ScriptAsync(storage.Url);
        var to = Path.Combine(work, "swapped");

        var otherCrate = await ShAsync(script, null, Trusted, "--to", to);
        var olderVersion = await ShAsync(script, null, demo, "--version", "2.0.0-beta.1", "--to", to);
        var otherTarget = await ShAsync(script, null, demo, "--version", "1.0.0", "--target", "aarch64-unknown-linux-gnu", "--to", to);
        var asked = await ShAsync(script, null, demo.Replace('-', '_'), "--version", "1.0.0", "--to", Path.Combine(work, "asked"));

        Assert.Equal((1, 1, 1), (otherCrate.ExitCode, olderVersion.ExitCode, otherTarget.ExitCode));
        Assert.Contains($"the signature is for the crate {demo}, not {Trusted}; nothing installed", otherCrate.Output, StringComparison.Ordinal);
        Assert.Contains($"the signature is for version 1.0.0 of {demo}, not 2.0.0-beta.1; nothing installed", olderVersion.Output, StringComparison.Ordinal);
        Assert.Contains($"the signature is for the target {Target}, not aarch64-unknown-linux-gnu; nothing installed", otherTarget.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
        // The same archive, asked for as what it is (crates.io's name matching), installs.
        Assert.True(asked.ExitCode == 0, asked.Output);
        Assert.Contains($"{demo} 1.0.0 for {Target}", asked.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_targets_build_is_reproduced_by_a_builder_of_the_other_host()
    {
        const string demo = PublishedCrates.Demo;
        await PublishedCrates.EnsureDemoAsync(fixture);
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/crates/{demo}/1.0.0/verify")
        {
            Content = JsonContent.Create(new RebuildRequest(50), ApiJsonContext.Default.RebuildRequest),
        };
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        using var response = await api.SendAsync(request, timeout.Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var verdicts = db.ArtifactVerifications.Where(v => v.Artifact.Job.Version.Crate.Name == demo && v.Artifact.Job.Version.Version == "1.0.0");
        while (await verdicts.Select(v => v.Artifact.Job.Target).Distinct().CountAsync(timeout.Token) < PublishedCrates.Targets.Count)
        {
            await Task.Delay(500, timeout.Token);
        }

        var checkedTargets = await verdicts.Select(v => new { v.Artifact.Job.Target, v.Reproduced, v.Differences, Maker = v.Artifact.Job.Builder!.Name, Checker = v.Builder.Name })
            .ToListAsync(timeout.Token);
        Assert.Equal(PublishedCrates.Targets, checkedTargets.Select(v => v.Target!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(checkedTargets, v => Assert.True(v.Reproduced, $"{v.Target}: {string.Join(", ", v.Differences)}"));
        Assert.All(checkedTargets, v => Assert.NotEqual(v.Maker, v.Checker));
    }

    /// <summary>A folder with every tool of this machine but <paramref name="missing"/>, to stand for PATH.</summary>
    private string ToolsFolder(params string[] missing)
    {
        var tools = Path.Combine(work, "tools-without-" + string.Join('-', missing));
        Directory.CreateDirectory(tools);
        foreach (var tool in ToolFolders.SelectMany(Directory.EnumerateFiles).Where(t => !missing.Contains(Path.GetFileName(t))))
        {
            var link = Path.Combine(tools, Path.GetFileName(tool));
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, tool);
            }
        }
        return tools;
    }

    /// <summary>Waits for the crate's build, asks for it to be built again at once (rather than when the queue is
    /// empty), and waits for the verdict.</summary>
    private async Task VerifiedAsync(string crate)
    {
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        while (!await db.Jobs.AnyAsync(j => j.Version.Crate.Name == crate && j.Kind == JobKind.Binary && j.State == JobState.Succeeded, timeout.Token))
        {
            if (await db.Jobs.Where(j => j.Version.Crate.Name == crate && j.State == JobState.Failed).Select(j => j.Error).FirstOrDefaultAsync(timeout.Token) is { } error)
            {
                throw new InvalidOperationException($"{crate} failed: {error}");
            }
            await Task.Delay(500, timeout.Token);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/crates/{crate}/1.0.0/verify")
        {
            Content = JsonContent.Create(new RebuildRequest(50), ApiJsonContext.Default.RebuildRequest),
        };
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        using var response = await api.SendAsync(request, timeout.Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        while (!await db.ArtifactVerifications.AnyAsync(v => v.Artifact.Job.Version.Crate.Name == crate, timeout.Token))
        {
            await Task.Delay(500, timeout.Token);
        }
    }

    private async Task<ArtifactInfo> ArtifactAsync(string crate) =>
        (await api.GetFromJsonAsync($"/api/v1/crates/{crate}/1.0.0", ApiJsonContext.Default.VersionDetails))!
            .Targets.Single(t => t.Target == Target).Artifacts.Single();

    /// <summary>The Api's install script, pointed at <paramref name="baseUrl"/> when given.</summary>
    private async Task<string> ScriptAsync(Uri? baseUrl)
    {
        var text = await api.GetStringAsync("/install.sh");
        if (baseUrl is not null)
        {
            text = System.Text.RegularExpressions.Regex.Replace(text, "^base=\"[^\"]*\"", $"base=\"{baseUrl.ToString().TrimEnd('/')}\"",
                System.Text.RegularExpressions.RegexOptions.Multiline);
        }
        var script = Path.Combine(work, $"install-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, text);
        return script;
    }

    private static async Task<(int ExitCode, string Output)> ShAsync(string script, string? path, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", [script, .. arguments]);
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }
        var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(2));
        return (exitCode, output + errors);
    }

    /// <summary>Storage an attacker controls: it serves <paramref name="archive"/> with its own checksum, and the real
    /// signature, which it cannot forge, or none.</summary>
    private static Task<LoopbackSite> ForgedStorageAsync(byte[] archive, string? signature)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(archive));
        return LoopbackSite.StartAsync(app => app.MapGet("/builds/{crate}/{version}/{file}", (string crate, string version, string file) =>
            file.EndsWith(".sha256", StringComparison.Ordinal) ? Results.Text($"{sha256}  {crate}-{version}.tar.gz\n")
            : file.EndsWith(".minisig", StringComparison.Ordinal)
                ? signature is null ? Results.NotFound() : Results.Text(signature.Replace(SignedSha256(signature), sha256, StringComparison.Ordinal))
            : Results.Bytes(archive, "application/gzip")));
    }

    /// <summary>The SHA-256 a signature's trusted comment names (the forger rewrites it to match; the signature then fails).</summary>
    private static string SignedSha256(string signature) => signature.Split('\n')[2].Split("sha256:")[1].Trim();

    private static bool Verifies(string minisignPublicKey, byte[] message, string signature)
    {
        var key = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519,
            Convert.FromBase64String(minisignPublicKey).AsSpan(10), NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        return NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key, message, Convert.FromBase64String(signature));
    }
}
