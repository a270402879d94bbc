using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>The local platform as a new user gets it: every component real, started by the AppHost, and working.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class PlatformTests(BuildsRsAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Every_service_answers_its_health_check_and_both_builders_are_connected_to_the_api()
    {
        var answers = new List<string>();
        foreach (var service in new[] { "api", "registry-sync", "builder-1", "builder-2", "web" })
        {
            using var http = fixture.App.CreateHttpClient(service);
            using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
            answers.Add($"{service}: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
        }
        using var api = fixture.App.CreateHttpClient("api");
        using var timeout = new CancellationTokenSource(Timeout);
        IReadOnlyList<string> connected;
        // A builder that an earlier test restarted may still be on its way back.
        while ((connected = await ConnectedHostsAsync(api, timeout.Token)).Count < 2)
        {
            await Task.Delay(250, timeout.Token);
        }

        // Degraded (200) is still up: a builder that is busy, a sync pass that waits for an operator.
        Assert.All(answers, answer => Assert.Matches(@": 200 (Healthy|Degraded)$", answer));
        Assert.Equal(["builder-1", "builder-2"], connected);
    }

    /// <summary>The builder hosts of the local system that have a builder connected (builder-N-K is a key of host builder-N).</summary>
    private static async Task<IReadOnlyList<string>> ConnectedHostsAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var fleet = await api.GetFromJsonAsync("/api/v1/builders", ApiJsonContext.Default.IReadOnlyListFleetBuilder, cancellationToken);
        return [.. fleet!.Where(b => b.Connected && b.Name.StartsWith("builder-", StringComparison.Ordinal))
            .Select(b => b.Name[..b.Name.LastIndexOf('-')]).Distinct().Order()];
    }

    [Fact]
    public async Task Both_builders_enroll_themselves_each_as_a_host_of_its_own_and_stay_connected()
    {
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        // The other tests here enroll keys of their own, all named test-*.
        var replicas = db.Builders.Where(b => !b.Name.StartsWith("test-"));
        while (await replicas.CountAsync(b => b.LastSeenAt != null, timeout.Token) < 2)
        {
            await Task.Delay(250, timeout.Token);
        }

        var builders = await replicas.ToListAsync();
        Assert.Equal(2, builders.Count);
        Assert.All(builders, b => Assert.True(b.Enabled && b.AllowedTargets.Contains("x86_64-unknown-linux-gnu")));
        Assert.Equal(2, builders.Select(b => b.Fingerprint).Distinct().Count());
        Assert.Equal(["builder-1", "builder-2"], await replicas.Select(b => b.Host.Name).OrderBy(n => n).ToListAsync());
    }

    [Fact]
    public async Task Registry_refresh_needs_the_admin_token()
    {
        using var http = fixture.App.CreateHttpClient("registry-sync");

        foreach (var (token, what) in new[] { ((string?)null, "no token"), ("not-a-token-of-this-system", "a wrong token"), (fixture.Secret("builder-1.enrollment.token"), "an enrollment token") })
        {
            using var refused = await RefreshAsync(http, token);
            await Refusals.AssertAsync(refused, HttpStatusCode.Unauthorized, $"a refresh with {what}");
        }
        using var allowed = await RefreshAsync(http, fixture.Secret("admin.token"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_registry_refresh_without_a_list_of_crates_is_refused_as_the_callers_mistake()
    {
        using var http = fixture.App.CreateHttpClient("registry-sync");

        foreach (var (body, what) in new[] { ((HttpContent?)null, "no body"), (JsonContent.Create(new JsonObject()), "a body without crates"),
                     (JsonContent.Create(new JsonObject { ["crates"] = new JsonArray("../etc") }), "a name that is no crate's") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/registry/refresh") { Content = body };
            request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
            using var refused = await http.SendAsync(request);
            await Refusals.AssertAsync(refused, HttpStatusCode.BadRequest, $"a refresh with {what}");
        }
    }

    private static async Task<HttpResponseMessage> RefreshAsync(HttpClient http, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/registry/refresh")
        {
            Content = JsonContent.Create(new JsonObject { ["crates"] = new JsonArray("xml-rs") }),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task The_api_answers_health_with_the_database_migrated()
    {
        using var http = fixture.App.CreateHttpClient("api");

        var health = await http.GetStringAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal("Healthy", health);
        await using var db = await fixture.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.True(await db.Targets.AnyAsync(t => t.Enabled));
    }

    [Fact]
    public async Task Registry_sync_imports_the_local_registry_and_queues_metadata_jobs()
    {
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        while (!await db.RegistrySyncStates.AnyAsync(s => s.Cursor != null, timeout.Token))
        {
            await Task.Delay(250, timeout.Token);
        }

        Assert.True(await db.Crates.CountAsync(c => c.Name == "hexyl" || c.Name == "cargo-binutils" || c.Name == "xml-rs") == 3);
        var versions = await db.Versions.CountAsync();
        Assert.True(versions > 250, $"{versions} versions imported");
        // One first attempt per version; rebuilds (other tests ask for some) come on top.
        Assert.Equal(versions, await db.Jobs.CountAsync(j => j.Kind == JobKind.Metadata && j.Attempt == 0));
    }

    [Fact]
    public async Task Artifact_storage_returns_exactly_the_bytes_written()
    {
        var storage = ArtifactStorageSettings.Parse(await ConnectionStringAsync("s3"));
        using var s3 = storage.CreateClient();
        var payload = RandomNumberGenerator.GetBytes(5_000_000);
        var key = $"platform-tests/{Guid.NewGuid():N}.bin";

        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = storage.Bucket,
            Key = key,
            InputStream = new MemoryStream(payload),
            UseChunkEncoding = false,
        });
        using var response = await s3.GetObjectAsync(storage.Bucket, key);
        using var readBack = new MemoryStream();
        await response.ResponseStream.CopyToAsync(readBack);

        Assert.Equal(payload.Length, readBack.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(readBack.ToArray()));
        await s3.DeleteObjectAsync(storage.Bucket, key);
    }

    [Fact]
    public async Task The_builder_image_runs_rustc_without_a_network()
    {
        var image = BuilderImage();
        using var docker = new DockerClientConfiguration().CreateClient();
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["sh", "-c", "rustc -V && cat /sys/class/net/*/operstate | wc -l && id -u"],
            HostConfig = new HostConfig { NetworkMode = "none", ReadonlyRootfs = true },
        });
        try
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters());
            using var timeout = new CancellationTokenSource(Timeout);
            var exit = await docker.Containers.WaitContainerAsync(container.ID, timeout.Token);
            using var logs = await docker.Containers.GetContainerLogsAsync(container.ID, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, timeout.Token);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(timeout.Token);

            Assert.True(exit.StatusCode == 0, $"exit {exit.StatusCode}: {stderr}");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("rustc 1.", lines[0]);
            Assert.Equal("1", lines[1]); // only the loopback interface
            Assert.NotEqual("0", lines[2]); // not root
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private async Task<string> ConnectionStringAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await fixture.App.GetConnectionStringAsync(resource, timeout.Token)
            ?? throw new InvalidOperationException($"{resource} has no connection string");
    }

    /// <summary>The x86_64 image the AppHost hands to the builders, as the dashboard shows it.</summary>
    private string BuilderImage() =>
        fixture.HealthyResources.Values.First(e => e.Resource.Name == "builder-1")
            .Snapshot.EnvironmentVariables.Single(e => e.Name == $"Builder__Images__{RepositoryPaths.HostTarget}").Value
        ?? throw new InvalidOperationException("The builders were given no image");
}
