using System.Collections.Concurrent;
using BuildsRs.Data;
using Microsoft.AspNetCore.OutputCaching;
using Npgsql;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Keeps reused answers fresh on every Api instance: listens to the database's <see cref="CrateChanges"/> and evicts
/// the answers about each crate named (and every listing) as soon as the change commits. After a lost connection it
/// evicts everything, since notifications sent meanwhile are gone; until it is back, answers live their full time.
/// </summary>
internal sealed partial class CrateChangeListener(IConfiguration configuration, IOutputCacheStore responses, ReusedAnswers answers,
    ILogger<CrateChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Keepalives make a silently dropped connection fail the wait instead of hanging in it.
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(Extensions.Extensions.DatabaseConnectionName))
        {
            KeepAlive = 10,
            Pooling = false,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var payloads = new ConcurrentQueue<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, e) => payloads.Enqueue(e.Payload);
        await connection.OpenAsync(cancellationToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {CrateChanges.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }
        await EvictAsync(CrateChanges.Everything, cancellationToken);
        LogListening(logger);
        while (true)
        {
            await connection.WaitAsync(cancellationToken);
            while (payloads.TryDequeue(out var payload))
            {
                await EvictAsync(payload, cancellationToken);
            }
        }
    }

    private async Task EvictAsync(string payload, CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("Evict answers");
        var crates = CrateChanges.Parse(payload);
        activity?.SetTag("buildsrs.crates", payload.Length <= 200 ? payload : payload[..200]);
        if (crates.Count == 0)
        {
            answers.EvictAll();
            await responses.EvictByTagAsync(CrateAnswerTags.Everything, cancellationToken);
            return;
        }
        answers.Evict(crates);
        await responses.EvictByTagAsync(CrateAnswerTags.Listings, cancellationToken);
        foreach (var crate in crates)
        {
            await responses.EvictByTagAsync(CrateAnswerTags.Of(crate), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Listening for crate changes: reused answers are evicted as they change")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Lost the database notifications of crate changes; answers live their full reuse time until they are back")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
