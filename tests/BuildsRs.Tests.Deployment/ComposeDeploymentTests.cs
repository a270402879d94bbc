using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using BuildsRs.Contracts.Builders;
using BuildsRs.Tests.Fixtures;
using static BuildsRs.Tests.Fixtures.ComposeDeploymentFixture;

namespace BuildsRs.Tests.Deployment;

/// <summary>
/// The self-hosted deployment from its images alone (deploy/docker-compose.yml: two Api instances, three builders,
/// Postgres, S3, the proxy in front), used as a user would and then hurt one part at a time: each fault costs time,
/// never a build, and nothing is built twice unless the builder that held it died.
/// </summary>
[Collection(DeploymentTestGroup.Name)]
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class ComposeDeploymentTests(ComposeDeploymentFixture deployment) : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-deploy-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact, Step(1)]
    public async Task Every_service_runs_from_its_image_as_a_non_root_user_with_a_health_check()
    {
        Assert.Equal(2, (await ContainersAsync("api")).Count);
        Assert.Equal(3, (await ContainersAsync("builder")).Count);
        var tag = Setting("BUILDSRS_TAG");
        foreach (var container in await AllContainersAsync())
        {
            var user = await DockerAsync("inspect", container, "--format", "{{.Config.User}}");
            Assert.True(user is not ("" or "0" or "root"), $"{container} runs as '{user}'");
            Assert.Contains("healthy", await DockerAsync("inspect", container, "--format", "{{.State.Health.Status}}"), StringComparison.Ordinal);
            var image = await DockerAsync("inspect", container, "--format", "{{.Config.Image}}");
            if (image.StartsWith("buildsrs/", StringComparison.Ordinal) && image.EndsWith(":" + tag, StringComparison.Ordinal))
            {
                Assert.Equal(tag, await DockerAsync("image", "inspect", image, "--format", "{{index .Config.Labels \"org.opencontainers.image.revision\"}}"));
                Assert.Equal("map[8080/tcp:{}]", await DockerAsync("image", "inspect", image, "--format", "{{.Config.ExposedPorts}}"));
            }
        }
        await Eventually.HoldsAsync(async () => (await ConnectedBuildersAsync()).Count == 3, TimeSpan.FromMinutes(1), "three builders connected");
        // The home page asks the Api, which answers slowly while the first registry import and the builds share the
        // machine: a 503 (the Api did not answer in time) then is the page saying so, not a fault of the deployment.
        await Eventually.HoldsAsync(async () => (await deployment.Http.GetAsync(deployment.WebUrl)).StatusCode == System.Net.HttpStatusCode.OK,
            TimeSpan.FromMinutes(1), "the website served its home page");
        Console.WriteLine($"Images built in {deployment.ImagesBuiltIn.TotalSeconds:F0} s; healthy {deployment.UpToHealthyIn.TotalSeconds:F0} s after up");
    }

    [Fact, Step(2)]
    public async Task A_crate_published_with_cargo_is_built_in_a_builder_container_and_its_download_runs()
    {
        const string crate = "deploy-hello";
        await PublishAsync(crate, buildSeconds: 15);

        // The live log of the running build, from each Api instance (they share it through Postgres).
        var job = await WaitForRunningAsync(crate);
        foreach (var api in await ContainersAsync("api"))
        {
            await Eventually.HoldsAsync(async () => (await DockerAsync("exec", api, "curl", "-fsS", $"http://127.0.0.1:8080/api/v1/jobs/{job.Id}/log"))
                .Contains($"Compiling {crate} v1.0.0", StringComparison.Ordinal), TimeSpan.FromMinutes(1), $"{api} serves the live log");
        }

        var finished = await WaitForSucceededAsync(crate);
        Assert.Equal(1, finished.Claims);
        await AssertDownloadRunsAsync(crate);
        // The storage behind the proxy answers only the links the Api signed: no listing, no unsigned read.
        var key = await SqlAsync($"SELECT a.storage_key FROM artifacts a WHERE a.job_id = {finished.Id}");
        foreach (var path in new[] { "artifacts/", "artifacts/?list-type=2", "artifacts/?prefix=crates/", $"artifacts/{key}" })
        {
            using var response = await deployment.Http.GetAsync(new Uri(deployment.ApiUrl, path));
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact, Step(3)]
    public async Task An_Api_instance_killed_mid_build_costs_nothing_the_builder_carries_on_through_the_other()
    {
        const string crate = "deploy-api-killed";
        await PublishAsync(crate, buildSeconds: 25);
        var job = await WaitForRunningAsync(crate);
        var (victim, survivor) = await ApiOfAsync(job.Builder);

        await DockerAsync("kill", victim);
        var killedAt = DateTimeOffset.UtcNow;
        var finished = await WaitForSucceededAsync(crate);

        Assert.Equal(1, finished.Claims);
        Assert.Equal(job.Builder, finished.Builder);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM artifacts a JOIN jobs j ON j.id = a.job_id WHERE j.id = {job.Id}"));
        Assert.Equal(1, await StoredObjectsAsync(crate));
        Assert.True(await ConnectedAfterAsync(survivor, job.Builder, killedAt), $"{job.Builder} did not connect to {survivor}");
        await DockerAsync("start", victim);
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
    }

    [Fact, Step(4)]
    public async Task A_builder_container_killed_mid_build_loses_the_job_after_its_lease_and_another_builds_it_once()
    {
        const string crate = "deploy-builder-killed";
        await PublishAsync(crate, buildSeconds: 30);
        var job = await WaitForRunningAsync(crate);
        var victim = await BuilderContainerAsync(job.Builder);

        await DockerAsync("kill", victim);
        var killedAt = Stopwatch.GetTimestamp();
        var finished = await WaitForSucceededAsync(crate);

        Assert.Equal(job.Id, finished.Id);
        Assert.Equal(2, finished.Claims);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM artifacts a JOIN jobs j ON j.id = a.job_id JOIN versions v ON v.id = j.version_id JOIN crates c ON c.id = v.crate_id WHERE c.name = '{crate}'"));
        Assert.Equal(1, await StoredObjectsAsync(crate));
        Console.WriteLine($"Rebuilt by {finished.Builder} {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:F0} s after the container of {job.Builder} was killed");
        if (await DockerAsync("inspect", victim, "--format", "{{.State.Running}}") != "true")
        {
            await DockerAsync("start", victim);
        }
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
    }

    [Fact, Step(5)]
    public async Task Postgres_stopped_and_started_while_a_build_runs_the_services_recover_on_their_own()
    {
        const string crate = "deploy-postgres-restarted";
        await PublishAsync(crate, buildSeconds: 25);
        var job = await WaitForRunningAsync(crate);
        var services = (await ContainersAsync("api")).Concat(await ContainersAsync("builder")).Concat(await ContainersAsync("registry-sync")).ToList();
        var lives = await StartTimesAsync(services);
        var postgres = (await ContainersAsync("postgres")).Single();

        await DockerAsync("stop", postgres);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await DockerAsync("start", postgres);
        await Eventually.HoldsAsync(async () => await DockerAsync("inspect", postgres, "--format", "{{.State.Health.Status}}") == "healthy",
            TimeSpan.FromMinutes(1), "postgres answers again");

        var finished = await WaitForSucceededAsync(crate);
        Assert.Equal(1, finished.Claims);
        Assert.Equal(job.Builder, finished.Builder);
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(lives, await StartTimesAsync(services));
        await Eventually.HoldsAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE state = 'running' AND lease_expires_at < now()") == 0,
            TimeSpan.FromMinutes(2), "no job is stuck in running");
    }

    [Fact, Step(6)]
    public async Task Storage_stopped_before_an_upload_fails_it_as_an_infrastructure_error_that_is_retried_into_one_object()
    {
        const string crate = "deploy-storage-stopped";
        await PublishAsync(crate, buildSeconds: 15);
        var job = await WaitForRunningAsync(crate);
        var s3 = (await ContainersAsync("s3")).Single();

        await DockerAsync("stop", s3);
        await Eventually.HoldsAsync(async () => await SqlAsync($"SELECT state || ' ' || claims FROM jobs WHERE id = {job.Id}") is not "running 1",
            BuildTimeout, "the upload fails and the job goes back to the queue");
        Assert.Contains("storage", await SqlAsync($"SELECT error FROM jobs WHERE id = {job.Id}"), StringComparison.OrdinalIgnoreCase);
        await DockerAsync("start", s3);

        var finished = await WaitForSucceededAsync(crate);
        Assert.True(finished.Claims >= 2, "the job was not tried again");
        Assert.Equal(1, await StoredObjectsAsync(crate));
        await AssertDownloadRunsAsync(crate);
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
    }

    [Fact, Step(7)]
    public async Task Registry_sync_killed_in_the_middle_of_a_pass_finishes_the_work_on_its_next_pass_without_duplicates()
    {
        var sync = (await ContainersAsync("registry-sync")).Single();
        await DockerAsync("stop", sync);
        string[] crates = ["deploy-sync-a", "deploy-sync-b", "deploy-sync-c"];
        foreach (var crate in crates)
        {
            await PublishAsync(crate, buildSeconds: 0);
        }
        var versions = await CountAsync("SELECT count(*) FROM versions");
        // Forget the cursor: the next pass is a full reconcile of the whole index, long enough to be cut.
        await SqlAsync("DELETE FROM registry_sync_state");

        // The versions table is held while registry-sync starts, so that its pass is surely cut in the middle: it reads
        // the index, begins to write, waits for the table and is killed there, however fast the machine.
        using (var holder = Process.Start(new ProcessStartInfo("docker", ["exec", (await ContainersAsync("postgres")).Single(), "psql",
            "-h", "/run/postgresql", "-U", "postgres", "-d", "buildsrs", "-c", "BEGIN; LOCK TABLE versions IN EXCLUSIVE MODE; SELECT pg_sleep(600); COMMIT;"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            try
            {
                await Eventually.HoldsAsync(async () => await CountAsync(
                    "SELECT count(*) FROM pg_locks WHERE relation = 'versions'::regclass AND mode = 'ExclusiveLock' AND granted") == 1,
                    TimeSpan.FromMinutes(1), "the versions table is held");
                await DockerAsync("start", sync);
                var address = await DockerAsync("inspect", sync, "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
                await Eventually.HoldsAsync(async () => await CountAsync(
                    $"SELECT count(*) FROM pg_stat_activity WHERE client_addr = '{address}' AND wait_event_type = 'Lock'") > 0,
                    TimeSpan.FromMinutes(2), "the pass waits to write");
                await DockerAsync("kill", sync);
            }
            finally
            {
                // What the killed pass left waiting, then the holder: nothing of that pass may commit after its death.
                await SqlAsync("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() " +
                    "AND (wait_event_type = 'Lock' OR query LIKE '%pg_sleep(600)%')");
                await holder.WaitForExitAsync();
            }
        }
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM registry_sync_state"));

        await DockerAsync("start", sync);
        await Eventually.HoldsAsync(async () => await CountAsync("SELECT count(*) FROM versions") == versions + crates.Length,
            TimeSpan.FromMinutes(3), "the next pass adds the new versions");
        await Eventually.HoldsAsync(async () => await CountAsync("SELECT count(*) FROM registry_sync_state") == 1, TimeSpan.FromMinutes(2), "the pass completes");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM (SELECT crate_id, version FROM versions GROUP BY 1, 2 HAVING count(*) > 1) d"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM (SELECT version_id FROM jobs WHERE kind = 'metadata' AND attempt = 0 GROUP BY 1 HAVING count(*) > 1) d"));
        foreach (var crate in crates)
        {
            await WaitForSucceededAsync(crate);
        }
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
    }

    [Fact, Step(8)]
    public async Task Builders_scaled_from_three_to_five_all_enroll_and_take_work()
    {
        await deployment.ComposeAsync("up", "-d", "--no-recreate", "--scale", "builder=5");
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(5, (await ContainersAsync("builder")).Count);
        await Eventually.HoldsAsync(async () => (await ConnectedBuildersAsync()).Count == 5, TimeSpan.FromMinutes(1), "five builders connected");
        await Eventually.HoldsAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')") == 0,
            TimeSpan.FromMinutes(10), "the queue is empty");

        string[] crates = [.. Enumerable.Range(1, 5).Select(i => $"deploy-scaled-{i}")];
        foreach (var crate in crates)
        {
            await PublishAsync(crate, buildSeconds: 20);
        }
        var builders = new HashSet<string>();
        foreach (var crate in crates)
        {
            builders.Add((await WaitForSucceededAsync(crate)).Builder);
        }
        Assert.Equal(5, builders.Count);
    }

    [Fact, Step(9)]
    public async Task A_builder_host_joins_through_the_public_address_with_the_token_an_operator_made_for_it()
    {
        // The operator adds the host through the Api's public address; its token is shown this once.
        using var http = new HttpClient { BaseAddress = deployment.ApiUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/hosts")
        {
            Content = JsonContent.Create(new NewBuilderHost("second-machine")),
            Headers = { Authorization = new("Bearer", Setting("ADMIN_TOKEN")) },
        };
        using var added = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var hostToken = (await added.Content.ReadFromJsonAsync<BuilderHostState>())!.EnrollmentToken!;

        var host = Path.Combine(RepositoryPaths.Root, "deploy", "builder-host", "docker-compose.yml");
        // This machine's engine has no NAT for containers: the test's builder host uses the host's network to reach
        // the proxy's published port, as a builder on another machine reaches the public address.
        var overrides = Path.Combine(work, "host-network.yml");
        Directory.CreateDirectory(work);
        var healthPort = FreePorts.Next();
        await File.WriteAllTextAsync(overrides, $"""
            version: "2.4"
            services:
              builder:
                network_mode: host
                environment:
                  ASPNETCORE_HTTP_PORTS: "{healthPort}"
            """);
        var environment = new Dictionary<string, string>
        {
            ["BUILDSRS_TAG"] = Setting("BUILDSRS_TAG"),
            ["BUILDSRS_SANDBOX_IMAGE"] = Setting("BUILDSRS_SANDBOX_IMAGE"),
            ["BUILDSRS_API_URL"] = deployment.ApiUrl.ToString(),
            ["BUILDSRS_ENROLLMENT_TOKEN"] = hostToken,
            ["BUILDSRS_BUILDER_WORK"] = Setting("BUILDSRS_BUILDER_WORK"),
            ["DOCKER_GID"] = Setting("DOCKER_GID"),
        };
        var project = Project + "-builder-host";
        async Task HostComposeAsync(params string[] arguments)
        {
            var start = new ProcessStartInfo("docker-compose", ["-p", project, "-f", host, "-f", overrides, .. arguments]);
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"builder host: docker-compose {string.Join(' ', arguments)} failed:\n{output}\n{errors}");
        }
        try
        {
            await HostComposeAsync("up", "-d");
            // On the host's network the builder's machine name is this machine's: its name is "{machine}-{key slot}".
            await Eventually.HoldsAsync(async () => (await ConnectedBuildersAsync()).Any(name => name.StartsWith(Environment.MachineName + "-", StringComparison.Ordinal)),
                TimeSpan.FromMinutes(2), "the builder host's builder connected");
            Assert.Equal(6, (await ConnectedBuildersAsync()).Count);
        }
        finally
        {
            await HostComposeAsync("down", "-v");
        }
    }

    [Fact, Step(10)]
    public async Task Down_with_volumes_leaves_no_container_network_or_volume()
    {
        await deployment.ComposeAsync("down", "-v");
        var label = $"label=com.docker.compose.project={Project}";
        Assert.Empty(await AllContainersAsync());
        Assert.Equal("", await DockerAsync("network", "ls", "-q", "--filter", label));
        Assert.Equal("", await DockerAsync("volume", "ls", "-q", "--filter", label));
    }

    private sealed record BinaryJob(long Id, string State, int Claims, string Builder);

    private async Task PublishAsync(string crate, int buildSeconds)
    {
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), deployment.RegistryIndex, Setting("REGISTRY_TOKEN"));
        await cargo.PublishAsync(crate, "1.0.0", $"fn main() {{ println!(\"{crate} 1.0.0\"); }}\n", buildSeconds == 0 ? null : $$"""
            fn main() {
                eprintln!("a slow build script");
                std::thread::sleep(std::time::Duration::from_secs({{buildSeconds}}));
            }
            """);
    }

    private static async Task<BinaryJob?> LatestBinaryJobAsync(string crate)
    {
        var row = await SqlAsync($"""
            SELECT j.id, j.state, j.claims, coalesce(b.name, '') FROM jobs j JOIN versions v ON v.id = j.version_id
            JOIN crates c ON c.id = v.crate_id LEFT JOIN builders b ON b.id = j.builder_id
            WHERE c.name = '{crate}' AND j.kind = 'binary' ORDER BY j.id DESC LIMIT 1
            """);
        return row.Split('|') is [var id, var state, var claims, var builder] ? new(long.Parse(id, CultureInfo.InvariantCulture), state, int.Parse(claims, CultureInfo.InvariantCulture), builder) : null;
    }

    /// <summary>The crate's binary job once its build has started compiling (its log says so).</summary>
    private static async Task<BinaryJob> WaitForRunningAsync(string crate)
    {
        BinaryJob? job = null;
        await Eventually.HoldsAsync(async () =>
            (job = await LatestBinaryJobAsync(crate)) is { State: "running" }
            && await CountAsync($"SELECT count(*) FROM job_logs WHERE job_id = {job.Id} AND text LIKE '%Compiling {crate}%'") > 0,
            BuildTimeout, $"{crate} is being compiled");
        return job!;
    }

    private static async Task<BinaryJob> WaitForSucceededAsync(string crate)
    {
        BinaryJob? job = null;
        await Eventually.HoldsAsync(async () =>
        {
            job = await LatestBinaryJobAsync(crate);
            if (job?.State == "failed")
            {
                Assert.Fail($"{crate} failed: {await SqlAsync($"SELECT error FROM jobs WHERE id = {job.Id}")}");
            }
            return job?.State == "succeeded";
        }, BuildTimeout, $"{crate} is built");
        return job!;
    }

    /// <summary>Downloads <c>latest</c> through the proxy's published port, as a user would, and runs the binary.</summary>
    private async Task AssertDownloadRunsAsync(string crate)
    {
        var archive = await deployment.Http.GetByteArrayAsync(new Uri(deployment.ApiUrl, $"builds/{crate}/latest/x86_64-unknown-linux-gnu"));
        var unpacked = Path.Combine(work, "unpacked", crate);
        Directory.CreateDirectory(unpacked);
        await TarFile.ExtractToDirectoryAsync(new GZipStream(new MemoryStream(archive), CompressionMode.Decompress), unpacked, overwriteFiles: false);
        Assert.Equal($"{crate} 1.0.0", (await Processes.RunAsync(Path.Combine(unpacked, crate))).Output.Trim());
    }

    /// <summary>The objects stored for the crate in the S3 server's volume.</summary>
    private static async Task<int> StoredObjectsAsync(string crate) =>
        (await DockerAsync("exec", (await ContainersAsync("s3")).Single(), "find", $"/var/lib/s3rver/artifacts/crates/{crate}", "-type", "f",
            "-name", "*._S3rver_object")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The Api instance the builder is connected to now (its latest connection, from the Api's logs), and the other.</summary>
    private static async Task<(string Holder, string Other)> ApiOfAsync(string builder)
    {
        var apis = await ContainersAsync("api");
        var latest = new Dictionary<string, DateTimeOffset>();
        foreach (var api in apis)
        {
            latest[api] = await LastConnectionAsync(api, builder) ?? DateTimeOffset.MinValue;
        }
        var holder = latest.MaxBy(p => p.Value).Key;
        return (holder, apis.Single(a => a != holder));
    }

    private static async Task<bool> ConnectedAfterAsync(string api, string builder, DateTimeOffset moment)
    {
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await LastConnectionAsync(api, builder) > moment)
            {
                return true;
            }
            await Task.Delay(500);
        }
        return false;
    }

    private static async Task<DateTimeOffset?> LastConnectionAsync(string api, string builder)
    {
        var (_, output, _) = await Processes.RunAsync(new ProcessStartInfo("docker", ["logs", "--timestamps", api]) { RedirectStandardError = true },
            TimeSpan.FromMinutes(1));
        // "Builder {Name} ({Fingerprint}) connected from {Remote}", the line after the log entry's header.
        var lines = output.Split('\n');
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (lines[i].Contains($"Builder {builder} (", StringComparison.Ordinal) && lines[i].Contains(") connected from", StringComparison.Ordinal))
            {
                return DateTimeOffset.Parse(lines[i].Split(" ", 2)[0], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static async Task<string> StartTimesAsync(IEnumerable<string> containers)
    {
        var lives = new List<string>();
        foreach (var container in containers)
        {
            lives.Add(container + " " + await DockerAsync("inspect", container, "--format", "{{.State.StartedAt}} {{.RestartCount}}"));
        }
        return string.Join('\n', lives);
    }
}
