using System.Diagnostics;
using System.Globalization;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// A real PostgreSQL server for integration tests, started with the same script the AppHost uses, on a fresh data
/// directory and a free port. Each test class takes its own empty database.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private const string Password = "integration-tests";
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "buildsrs-tests-pg-" + Guid.NewGuid().ToString("N"));
    private Process? server;
    private int port;

    public async Task InitializeAsync()
    {
        port = FreePorts.Next();
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Provisioning, "postgres.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["POSTGRES_DATA_DIR"] = dataDirectory,
                ["POSTGRES_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["POSTGRES_PASSWORD"] = Password,
                ["POSTGRES_DB"] = "postgres",
            },
        };
        server = Process.Start(start) ?? throw new InvalidOperationException("postgres.sh did not start");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync(timeout.Token);
                return;
            }
            catch (NpgsqlException) when (!timeout.IsCancellationRequested && !server.HasExited)
            {
                await Task.Delay(200, timeout.Token);
            }
        }
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Password={Password};Database={database};Pooling=false";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public static BuildsRsDbContext CreateContext(string connectionString)
    {
        var options = new DbContextOptionsBuilder<BuildsRsDbContext>().UseNpgsql(connectionString);
        BuildsRsDbContext.ConfigureConventions(options);
        return new BuildsRsDbContext(options.Options);
    }

    public async Task DisposeAsync()
    {
        if (server is { HasExited: false })
        {
            // postgres.sh turns SIGTERM into a fast shutdown.
            Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(timeout.Token);
        }
        server?.Dispose();
        Directory.Delete(dataDirectory, recursive: true);
    }

}
