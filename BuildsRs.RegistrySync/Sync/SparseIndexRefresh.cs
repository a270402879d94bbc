using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Bulk;
using BuildsRs.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>
/// Refreshes single crates from the sparse index with conditional requests: unchanged files cost a 304, a crate the
/// index no longer has (404 or 410) has its versions marked removed (kept, and back when the index lists them again),
/// and the rest is applied like any index change.
/// </summary>
public sealed class SparseIndexRefresh(
    BuildsRsDbContext db, HttpClient http, IOptions<RegistryOptions> options, IOptions<JobLifecycleOptions> jobs, SyncTelemetry telemetry,
    SyncStatus status, ILogger<SparseIndexRefresh> logger)
{
    /// <summary>ETags of the files last applied, by URL. Lost on restart, which only costs one full download each.</summary>
    private static readonly ConcurrentDictionary<string, string> ETags = new();

    public async Task<SyncPassResult> RefreshAsync(IReadOnlyCollection<string> crateNames, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var activity = SyncTelemetry.Source.StartActivity("Sparse refresh");
        activity?.SetTag("buildsrs.sync.crates", crateNames.Count);
        var started = Stopwatch.GetTimestamp();

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var import = await IndexImport.BeginAsync(connection, wholeIndexCrates: null, cancellationToken);
        var stager = new IndexFileStager(import, wholeIndex: false, logger);
        var fetched = new List<(string Url, string? ETag)>();
        foreach (var name in crateNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = IndexPath.For(name);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.SparseIndexUrl, path));
            if (ETags.TryGetValue(request.RequestUri!.ToString(), out var etag))
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            }
            using var response = await http.SendAsync(request, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotModified:
                    continue;
                case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                    stager.Stage(path, null);
                    fetched.Add((request.RequestUri!.ToString(), null));
                    break;
                default:
                    response.EnsureSuccessStatusCode();
                    var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    stager.Stage(path, content);
                    fetched.Add((request.RequestUri!.ToString(), response.Headers.ETag?.ToString()));
                    break;
            }
        }

        var changes = await import.CommitAsync(wholeIndex: false, NewVersionJobs.Publications(jobs.Value, JobTelemetry.CurrentTraceParent()),
            settings.SparseIndexUrl.ToString(), cursor: null, cancellationToken, status.RemovalLimitFor(settings));
        // Only remembered once applied, so a failed pass asks for the files again.
        foreach (var (url, etag) in fetched)
        {
            if (etag is null)
            {
                ETags.TryRemove(url, out _);
            }
            else
            {
                ETags[url] = etag;
            }
        }
        telemetry.PassFinished(changes, stager.MalformedLines, Stopwatch.GetElapsedTime(started), "sparse");
        return new SyncPassResult("sparse", null, stager.Files, stager.Versions, stager.MalformedLines, changes);
    }

    /// <summary>Every crate the database knows, for registries that have no git index to enumerate.</summary>
    public Task<List<string>> KnownCratesAsync(CancellationToken cancellationToken) =>
        db.Crates.Select(c => c.Name).ToListAsync(cancellationToken);
}
