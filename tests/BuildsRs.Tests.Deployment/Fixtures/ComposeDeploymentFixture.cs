using System.Diagnostics;
using System.Globalization;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// The self-hosted deployment exactly as the README brings it up: the images built by deploy/build-images.sh and
/// deploy/docker-compose.yml on this machine's Docker engine, in its own compose project and on free ports. No
/// <c>dotnet run</c> anywhere: everything runs from the images.
/// </summary>
public sealed class ComposeDeploymentFixture : IAsyncLifetime
{
    public const string Project = "buildsrs-test";
    private static readonly TimeSpan BuildImagesTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public int ApiPort { get; } = FreePorts.Next();
    public int WebPort { get; } = FreePorts.Next();
    public int RegistryPort { get; } = FreePorts.Next();
    public int DashboardPort { get; } = FreePorts.Next();

    public Uri ApiUrl => new($"http://localhost:{ApiPort}/");
    public Uri WebUrl => new($"http://localhost:{WebPort}/");
    public Uri RegistryIndex => new($"http://127.0.0.1:{RegistryPort}/index/");
    public static string ComposeFile => Path.Combine(RepositoryPaths.Root, "deploy", "docker-compose.yml");

    /// <summary>
    /// The settings deploy/build-images.sh writes, kept apart from deploy/.env so that a deployment of the checkout
    /// is left alone, and made afresh each run the way a first deployment makes them.
    /// </summary>
    private static readonly string EnvFile = Path.Combine(Path.GetTempPath(), $"buildsrs-test-deployment-{Environment.ProcessId}.env");

    /// <summary>How long building the images and bringing the deployment up to healthy took.</summary>
    public TimeSpan ImagesBuiltIn { get; private set; }
    public TimeSpan UpToHealthyIn { get; private set; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var started = Stopwatch.GetTimestamp();
        File.Delete(EnvFile);
        var buildImages = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "deploy", "build-images.sh")) { Environment = { ["BUILDSRS_ENV_FILE"] = EnvFile } };
        var (exitCode, output, errors) = await Processes.RunAsync(buildImages, BuildImagesTimeout);
        Assert.True(exitCode == 0, $"deploy/build-images.sh failed ({exitCode}):\n{output}\n{errors}");
        ImagesBuiltIn = Stopwatch.GetElapsedTime(started);

        await ComposeAsync("down", "-v", "--remove-orphans");
        started = Stopwatch.GetTimestamp();
        try
        {
            await ComposeAsync("up", "-d");
            await WaitUntilHealthyAsync(StartTimeout);
        }
        catch (Exception failure) when (failure is Xunit.Sdk.XunitException or TimeoutException)
        {
            throw new InvalidOperationException($"The deployment did not come up healthy:\n{failure.Message}\n{await UnhealthyReportAsync()}", failure);
        }
        UpToHealthyIn = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"Images built in {ImagesBuiltIn.TotalSeconds:F0} s; deployment healthy {UpToHealthyIn.TotalSeconds:F0} s after up");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await ComposeAsync("down", "-v", "--remove-orphans");
        File.Delete(EnvFile);
    }

    /// <summary>A value that deploy/build-images.sh wrote to the env file (secrets, image tags).</summary>
    public static string Setting(string name) =>
        File.ReadAllLines(EnvFile)
            .Select(line => line.Split('=', 2))
            .Last(parts => parts.Length == 2 && parts[0] == name)[1];

    /// <summary>docker-compose on this deployment's project, with its ports.</summary>
    public Task<string> ComposeAsync(params string[] arguments) => ComposeFileAsync(ComposeFile, ["--env-file", EnvFile, .. arguments]);

    public async Task<string> ComposeFileAsync(string file, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("docker-compose", ["-p", Project, "-f", file, .. arguments]) { WorkingDirectory = Path.GetDirectoryName(file)! };
        start.Environment["BUILDSRS_API_PORT"] = ApiPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BUILDSRS_WEB_PORT"] = WebPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BUILDSRS_REGISTRY_PORT"] = RegistryPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BUILDSRS_DASHBOARD_PORT"] = DashboardPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BUILDSRS_PUBLIC_API_URL"] = ApiUrl.ToString().TrimEnd('/');
        // As in the system tests, builds run in the engine's default runtime (see BuildsRsAppFixture).
        start.Environment["BUILDSRS_SANDBOX_RUNTIME"] = "";
        // What the deployment tests follow is the deployment, not second builds: those would keep the builders busy.
        start.Environment["BUILDSRS_VERIFY_SHARE"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var (exitCode, output, errors) = await Processes.RunAsync(start, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"docker-compose {string.Join(' ', arguments)} failed ({exitCode}):\n{output}\n{errors}");
        return output;
    }

    public static async Task<string> DockerAsync(params string[] arguments)
    {
        var (exitCode, output, errors) = await Processes.RunAsync(new ProcessStartInfo("docker", arguments), TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"docker {string.Join(' ', arguments)} failed ({exitCode}):\n{output}\n{errors}");
        return output.Trim();
    }

    /// <summary>The running containers of a service, by name.</summary>
    public static async Task<IReadOnlyList<string>> ContainersAsync(string service) =>
        (await DockerAsync("ps", "--filter", $"label=com.docker.compose.project={Project}", "--filter", $"label=com.docker.compose.service={service}",
            "--format", "{{.Names}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every container of the project, running or not.</summary>
    public static async Task<IReadOnlyList<string>> AllContainersAsync() =>
        (await DockerAsync("ps", "-a", "--filter", $"label=com.docker.compose.project={Project}", "--format", "{{.Names}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A query on the deployment's database, through psql in the postgres container: one line per row, columns split by '|'.</summary>
    public static async Task<string> SqlAsync(string sql) =>
        await DockerAsync("exec", (await ContainersAsync("postgres")).Single(), "psql", "-h", "/run/postgresql", "-U", "postgres", "-d", "buildsrs",
            "-tAc", sql);

    public static async Task<long> CountAsync(string sql) => long.Parse(await SqlAsync(sql), CultureInfo.InvariantCulture);

    /// <summary>Until every container of the deployment runs and reports healthy.</summary>
    public static async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var states = new List<string>();
        while (!deadline.IsCancellationRequested)
        {
            states.Clear();
            foreach (var container in await AllContainersAsync())
            {
                states.Add($"{container}: {await DockerAsync("inspect", container, "--format", "{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}")}");
            }
            if (states.Count > 0 && states.All(s => s.EndsWith(": running/healthy", StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(1000, CancellationToken.None);
        }
        throw new TimeoutException("Not every container became healthy: " + string.Join(", ", states));
    }

    /// <summary>What each container that is not running and healthy said: its last health checks and the end of its log.</summary>
    private static async Task<string> UnhealthyReportAsync()
    {
        var report = new System.Text.StringBuilder();
        foreach (var container in await AllContainersAsync())
        {
            var state = await DockerAsync("inspect", container, "--format", "{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}");
            if (state == "running/healthy")
            {
                continue;
            }
            var checks = await DockerAsync("inspect", container, "--format", "{{if .State.Health}}{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}\n{{end}}{{end}}");
            var (_, output, errors) = await Processes.RunAsync(new ProcessStartInfo("docker", ["logs", "--tail", "60", container]), TimeSpan.FromMinutes(1));
            report.Append(CultureInfo.InvariantCulture, $"--- {container}: {state}\nhealth checks:\n{checks}\nlog:\n{output}{errors}\n");
        }
        return report.ToString();
    }

    /// <summary>The builders that sent a heartbeat lately (every 10 s while connected), by name.</summary>
    public static async Task<IReadOnlyList<string>> ConnectedBuildersAsync() =>
        (await SqlAsync("SELECT name FROM builders WHERE enabled AND last_seen_at > now() - interval '15 seconds' ORDER BY name"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The container whose builder process connected as <paramref name="builderName"/> (from its log).</summary>
    public static async Task<string> BuilderContainerAsync(string builderName)
    {
        foreach (var container in await ContainersAsync("builder"))
        {
            var (_, output, errors) = await Processes.RunAsync(new ProcessStartInfo("docker", ["logs", container]), TimeSpan.FromMinutes(1));
            if ((output + errors).Contains($"Connected to the Api as {builderName}", StringComparison.Ordinal))
            {
                return container;
            }
        }
        throw new InvalidOperationException($"no builder container connected as {builderName}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeploymentTestGroup : ICollectionFixture<ComposeDeploymentFixture>
{
    public const string Name = "deployment";
}
