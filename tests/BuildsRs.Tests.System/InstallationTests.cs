using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Xml;
using Aspire.Hosting.Testing;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Api;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Tomlyn;
using Tomlyn.Model;

namespace BuildsRs.Tests.SystemTests;

/// <summary>How people and tools install what was built: the install script, cargo-binstall's URL template,
/// the README badge and the feeds, against the running system.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class InstallationTests(BuildsRsAppFixture fixture) : IAsyncLifetime
{
    private const string Demo = PublishedCrates.Demo;
    private const string Target = "x86_64-unknown-linux-gnu";

    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-install-" + Guid.NewGuid().ToString("N"));
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        await PublishedCrates.EnsureDemoAsync(fixture);
        api = fixture.App.CreateHttpClient("api");
        Directory.CreateDirectory(work);
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        Directory.Delete(work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_install_script_installs_the_latest_or_a_chosen_version_after_checking_its_hash()
    {
        var script = Path.Combine(work, "install.sh");
        await File.WriteAllTextAsync(script, await api.GetStringAsync("/install.sh"));

        var latest = await ShAsync(script, Demo, "--to", Path.Combine(work, "latest"));
        var chosen = await ShAsync(script, Demo, "--version", "2.0.0-beta.1", "--to", Path.Combine(work, "chosen"));

        Assert.Equal(0, latest.ExitCode);
        Assert.Contains($"installed {Path.Combine(work, "latest", Demo)}", latest.Output, StringComparison.Ordinal);
        Assert.Equal($"{Demo} 1.0.0", (await Processes.RunAsync(Path.Combine(work, "latest", Demo))).Output.Trim());
        Assert.Equal(0, chosen.ExitCode);
        Assert.Equal($"{Demo} 2.0.0-beta.1", (await Processes.RunAsync(Path.Combine(work, "chosen", Demo))).Output.Trim());
    }

    [Fact]
    public async Task The_install_script_explains_when_nothing_is_built_and_installs_nothing()
    {
        var script = Path.Combine(work, "install.sh");
        await File.WriteAllTextAsync(script, await api.GetStringAsync("/install.sh"));
        var to = Path.Combine(work, "none");

        var wrongTarget = await ShAsync(script, Demo, "--target", "wasm32-unknown-unknown", "--to", to);
        var unknown = await ShAsync(script, "buildsrs-no-such-crate", "--to", to);

        Assert.Equal(1, wrongTarget.ExitCode);
        Assert.Contains("has a successful build for wasm32-unknown-unknown", wrongTarget.Output, StringComparison.Ordinal);
        Assert.Contains($"built for {string.Join(", ", PublishedCrates.Targets)}", wrongTarget.Output, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no crate named 'buildsrs-no-such-crate'", unknown.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to) && Directory.EnumerateFileSystemEntries(to).Any());
    }

    [Fact]
    public async Task The_install_script_takes_the_target_from_the_machine_and_refuses_a_glibc_older_than_the_build_needs()
    {
        var script = Path.Combine(work, "install.sh");
        await File.WriteAllTextAsync(script, await api.GetStringAsync("/install.sh"));
        var version = await api.GetFromJsonAsync($"/api/v1/crates/{Demo}/1.0.0", ApiJsonContext.Default.VersionDetails);
        var floor = version!.Targets.Single(t => t.Target == Target).Artifacts.Single().GlibcFloor!;
        using var checksum = await api.GetAsync($"/builds/{Demo}/1.0.0/{Target}.sha256");
        var arm = FakeCommand("uname", """case "$1" in -m) echo aarch64 ;; -s) echo Linux ;; *) exec /bin/uname "$@" ;; esac""");
        var oldGlibc = FakeCommand("getconf", "echo 'glibc 2.3'");

        var onArm = await ShWithFakesAsync(script, arm, Demo, "--version", "1.0.0", "--to", Path.Combine(work, "arm"));
        var onOld = await ShWithFakesAsync(script, oldGlibc, Demo, "--version", "1.0.0", "--to", Path.Combine(work, "old"));

        Assert.Equal(floor, checksum.Headers.GetValues("X-Artifact-Glibc").Single());
        Assert.Equal("x86-64", checksum.Headers.GetValues("X-Artifact-Machine").Single());
        Assert.True(onArm.ExitCode == 0, onArm.Output);
        var installed = Path.Combine(work, "arm", Demo);
        Assert.Equal("aarch64", ElfBinary.Read(installed)!.Machine);
        Assert.Equal($"{Demo} 1.0.0", (await TargetBinaries.RunAsync("aarch64-unknown-linux-gnu", installed)).Output.Trim());
        Assert.Equal(1, onOld.ExitCode);
        Assert.Contains($"{Demo}'s {Target} build needs glibc {floor} or newer; this machine has glibc 2.3. Nothing installed.", onOld.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(work, "old")) && Directory.EnumerateFileSystemEntries(Path.Combine(work, "old")).Any());
    }

    [Fact]
    public async Task A_version_removed_from_the_index_is_gone_from_downloads_but_keeps_its_artifact_record_and_object_until_it_comes_back()
    {
        var download = $"/builds/{Demo}/1.0.0/{Target}";
        await using var db = await fixture.CreateDbContextAsync();
        var version = await db.Versions.Where(v => v.Crate.Name == Demo && v.Version == "1.0.0").Select(v => v.Id).SingleAsync();
        var artifact = await db.Artifacts.Where(a => a.Job.VersionId == version && a.Job.Target == Target && a.Job.State == Contracts.Jobs.JobState.Succeeded)
            .OrderByDescending(a => a.Job.Attempt).Select(a => new { a.Id, a.StorageKey, a.Sha256 }).FirstAsync();
        string detail;
        try
        {
            // What a sync pass does when the index stops listing the version.
            await db.Versions.Where(v => v.Id == version).ExecuteUpdateAsync(v => v.SetProperty(x => x.RemovedAt, DateTimeOffset.UtcNow));
            // Reused answers go when the database says the crate changed, a moment later.
            await Eventually.HoldsAsync(async () => (await api.GetAsync(download)).StatusCode == HttpStatusCode.Gone,
                TimeSpan.FromSeconds(30), "the download answers 410");
            using var gone = await api.GetAsync(download);
            detail = (await gone.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!.Detail!;
            using var page = await api.GetAsync($"/api/v1/crates/{Demo}/1.0.0");
            Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
            Assert.True(await db.Artifacts.AnyAsync(a => a.Id == artifact.Id), "the artifact's record stays");
            var storage = Api.Infrastructure.ArtifactStorageSettings.Parse(await fixture.App.GetConnectionStringAsync("s3") ?? "");
            using var s3 = storage.CreateClient();
            using var stored = await s3.GetObjectAsync(storage.Bucket, artifact.StorageKey);
            Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stored.ResponseStream)));
        }
        finally
        {
            await db.Versions.Where(v => v.Id == version).ExecuteUpdateAsync(v => v.SetProperty(x => x.RemovedAt, (DateTimeOffset?)null));
        }

        Assert.Matches($"^{Demo} 1.0.0 was removed from the registry's index on \\d{{4}}-\\d{{2}}-\\d{{2}}: it is no longer served$", detail);
        await Eventually.HoldsAsync(async () => (await api.GetAsync(download)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the download is served again once the index lists the version again");
    }

    [Fact]
    public async Task The_binstall_metadata_on_the_crate_page_fetches_every_targets_archive_and_a_signature_its_key_verifies()
    {
        using var web = fixture.App.CreateHttpClient("web");
        var page = await web.GetStringAsync($"/crates/{Demo}");
        var snippet = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "<code aria-label=\"binstall metadata\"[^>]*>([^<]*)</code>").Groups[1].Value);

        var binstall = (TomlTable)((TomlTable)((TomlTable)TomlSerializer.Deserialize<TomlTable>(snippet)!["package"])["metadata"])["binstall"];
        var signing = (TomlTable)binstall["signing"];
        Assert.Equal(("tgz", "{ bin }{ binary-ext }", "minisign"), ((string)binstall["pkg-fmt"], (string)binstall["bin-dir"], (string)signing["algorithm"]));
        var key = (string)signing["pubkey"];
        Assert.Equal((await api.GetStringAsync("/signing-key.pub")).Split('\n')[1].Trim(), key);
        foreach (var target in PublishedCrates.Targets)
        {
            // Expanded as cargo-binstall does; the signature is at the archive's URL plus .sig, binstall's default.
            var url = ((string)binstall["pkg-url"]).Replace("{ name }", Demo, StringComparison.Ordinal).Replace("{ version }", "1.0.0", StringComparison.Ordinal)
                .Replace("{ target }", target, StringComparison.Ordinal);
            var archive = Path.Combine(work, $"{target}.tgz");
            await File.WriteAllBytesAsync(archive, await api.GetByteArrayAsync(new Uri(url)));
            await File.WriteAllTextAsync(archive + ".sig", await api.GetStringAsync(new Uri(url + ".sig")));
            var bin = Directory.CreateDirectory(Path.Combine(work, target)).FullName;
            await TarFile.ExtractToDirectoryAsync(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress), bin, overwriteFiles: false);

            var check = await Processes.RunAsync("minisign", "-Vm", archive, "-x", archive + ".sig", "-P", key);
            Assert.True(check.ExitCode == 0, $"{target}: {check.Output}{check.Errors}");
            // bin-dir '{ bin }{ binary-ext }': the binary at the archive's root, with .exe for Windows.
            var binaryExt = target.Contains("-windows-", StringComparison.Ordinal) ? ".exe" : "";
            Assert.Equal([Demo + binaryExt], Directory.GetFiles(bin).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_crate_badge_shows_its_latest_versions_state_and_an_unknown_crate_has_none()
    {
        using var badge = await api.GetAsync($"/badges/{Demo}.svg");
        using var unknown = await api.GetAsync("/badges/buildsrs-no-such-crate.svg");

        Assert.Equal("image/svg+xml", badge.Content.Headers.ContentType?.MediaType);
        var svg = new XmlDocument();
        svg.LoadXml(await badge.Content.ReadAsStringAsync());
        Assert.Equal("builds.rs: succeeded", svg.DocumentElement!["title"]!.InnerText);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_atom_feeds_list_finished_builds_for_everyone_and_per_crate()
    {
        var all = await FeedAsync("/feeds/builds.atom");
        var crate = await FeedAsync($"/feeds/crates/{Demo}.atom");
        using var unknown = await api.GetAsync("/feeds/crates/buildsrs-no-such-crate.atom");

        Assert.Contains($"{Demo} 1.0.0 for {Target}: succeeded", all.Items.Select(i => i.Title.Text));
        Assert.Equal(
            PublishedCrates.Versions.SelectMany(v => PublishedCrates.Targets.Select(t => $"{Demo} {v} for {t}: succeeded")).Order(StringComparer.Ordinal),
            crate.Items.Select(i => i.Title.Text).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<SyndicationFeed> FeedAsync(string path)
    {
        using var response = await api.GetAsync(path);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        return SyndicationFeed.Load(reader);
    }

    private static async Task<(int ExitCode, string Output)> ShAsync(string script, params string[] arguments)
    {
        var (exitCode, output, errors) = await Processes.RunAsync("sh", [script, .. arguments]);
        return (exitCode, output + errors);
    }

    /// <summary>The script run with <paramref name="fakes"/> first on its PATH.</summary>
    private static async Task<(int ExitCode, string Output)> ShWithFakesAsync(string script, string fakes, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh", [script, .. arguments]);
        start.Environment["PATH"] = $"{fakes}:{Environment.GetEnvironmentVariable("PATH")}";
        var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(2));
        return (exitCode, output + errors);
    }

    /// <summary>A folder holding one command, <paramref name="name"/>, that runs <paramref name="body"/>: how the tests make a machine look different.</summary>
    private string FakeCommand(string name, string body)
    {
        var folder = Path.Combine(work, "fake-" + name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(Path.Combine(folder, name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }
}
