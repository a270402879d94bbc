using System.Diagnostics;
using System.Globalization;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// The S3 server the local system runs (s3rver, installed by provisioning), on a fresh directory and a free port, with
/// one bucket. <see cref="ConnectionString"/> has the shape the Api reads for any S3 provider.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string Bucket = "artifacts";
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "buildsrs-tests-s3-" + Guid.NewGuid().ToString("N"));
    private readonly int port = FreePorts.Next();
    private Process? server;

    public Uri Endpoint => new($"http://127.0.0.1:{port}");

    /// <summary>s3rver takes any credentials; these are its documented defaults.</summary>
    public string ConnectionString => $"Endpoint={Endpoint};AccessKey=S3RVER;SecretKey=S3RVER;Bucket={Bucket}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        var script = Path.Combine(RepositoryPaths.Provisioning, "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        // s3rver's continuation tokens use DES, which OpenSSL 3 only has in its legacy provider (as in the AppHost).
        server = Process.Start(new ProcessStartInfo("node", ["--openssl-legacy-provider", script, "--directory", dataDirectory,
            "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--configure-bucket", Bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("node did not start");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        // Listing the bucket succeeds once the server is up and the bucket exists.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, Bucket));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (!server.HasExited)
            {
            }
            if (server.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"s3rver did not answer on {Endpoint} (exited: {server.HasExited})");
            }
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        server?.Dispose();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
