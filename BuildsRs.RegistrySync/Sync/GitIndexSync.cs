using System.Diagnostics;
using System.Runtime.CompilerServices;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Bulk;
using BuildsRs.Data.Jobs;
using BuildsRs.RegistrySync.Git;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.RegistrySync.Sync;

/// <summary>
/// One pass over the git index: fetch, then apply what changed since the last applied commit (the cursor).
/// Without a cursor, or when the cursor is no longer in the history (crates.io squashes its index; a force-push
/// rewrites it), the whole index is reconciled instead, which also corrects anything a diff could have missed.
/// </summary>
public sealed partial class GitIndexSync(
    BuildsRsDbContext db, IOptions<RegistryOptions> options, IOptions<JobLifecycleOptions> jobs, SyncTelemetry telemetry, SyncStatus status,
    ILogger<GitIndexSync> logger)
{
    public async Task<SyncPassResult> RunPassAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var activity = SyncTelemetry.Source.StartActivity("Sync pass");
        var started = Stopwatch.GetTimestamp();
        var repository = new GitIndexRepository(settings.WorkDirectory, settings.GitIndexUrl);

        string head;
        using (SyncTelemetry.Source.StartActivity("Fetch index"))
        {
            head = await repository.FetchAsync(await GitProtocol.IsSmartAsync(settings.GitIndexUrl, cancellationToken), cancellationToken);
        }
        var cursor = await db.RegistrySyncStates
            .Where(s => s.Registry == settings.GitIndexUrl).Select(s => s.Cursor).SingleOrDefaultAsync(cancellationToken);
        activity?.SetTag("buildsrs.index.head", head);
        activity?.SetTag("buildsrs.index.cursor", cursor);
        if (cursor == head)
        {
            telemetry.Behind(0);
            return new SyncPassResult("none", head, 0, 0, 0, new IndexImportResult(0, 0, 0, 0, 0, 0, 0, 0, 0));
        }

        var full = cursor is null || !await repository.IsAncestorAsync(cursor, head, cancellationToken);
        var mode = full ? "full" : "incremental";
        activity?.SetTag("buildsrs.sync.mode", mode);
        telemetry.Behind(full ? 0 : await repository.CountCommitsAsync(cursor!, head, cancellationToken));
        if (full && cursor is not null)
        {
            LogHistoryRewritten(logger, cursor, head);
        }

        var (opened, crateFiles) = await OpenImportAsync(repository, head, full, cancellationToken);
        await using var import = opened;
        var stager = new IndexFileStager(import, full, logger);
        using (SyncTelemetry.Source.StartActivity("Stage versions"))
        {
            if (crateFiles is not null)
            {
                // Every crate file at the head, read in storage order; a blob shared by two paths is staged for each.
                var pathsByBlob = crateFiles.ToLookup(f => f.Blob, f => f.Path);
                // Three stages that overlap: git inflates the blobs, this process parses them, Postgres ingests the rows.
                var blobs = Pipeline.Stage(repository.ReadBlobsInStorageOrderAsync(pathsByBlob.Select(g => g.Key), cancellationToken), cancellationToken);
                var parsed = Pipeline.Stage(ParseAllAsync(blobs, pathsByBlob, cancellationToken), cancellationToken);
                await foreach (var file in parsed)
                {
                    stager.Stage(file);
                }
            }
            else
            {
                var paths = (await repository.ChangedPathsAsync(cursor!, head, cancellationToken)).Where(p => IndexPath.CrateNameOf(p) is not null).ToList();
                var index = 0;
                await foreach (var (_, content) in repository.ReadAsync(paths.Select(p => $"{head}:{p}"), cancellationToken))
                {
                    stager.Stage(paths[index++], content);
                }
            }
        }

        IndexImportResult changes;
        using (SyncTelemetry.Source.StartActivity("Apply changes"))
        {
            // A full import queues every old version, behind newly published ones. Its jobs start their own traces
            // when claimed (one trace per build, not one trace of a whole registry); an incremental pass's jobs
            // continue this one, from "version found" to "artifact stored".
            changes = await import.CommitAsync(full, full ? NewVersionJobs.Backlog(jobs.Value) : NewVersionJobs.Publications(jobs.Value, JobTelemetry.CurrentTraceParent()),
                settings.GitIndexUrl, head, cancellationToken, status.RemovalLimitFor(settings));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        telemetry.PassFinished(changes, stager.MalformedLines, elapsed, mode);
        telemetry.Behind(0);
        LogPass(logger, mode, head, stager.Files, stager.Versions, changes.VersionsAdded, changes.Yanked, changes.Unyanked,
            changes.JobsCancelled, changes.VersionsRemoved, stager.MalformedLines, elapsed.TotalMilliseconds);
        return new SyncPassResult(mode, head, stager.Files, stager.Versions, stager.MalformedLines, changes);
    }

    /// <summary>Opens the import; for a full pass, also lists every crate file at the head (a first import inserts
    /// their crates here).</summary>
    private async Task<(IndexImport Import, List<(string Path, string Blob)>? CrateFiles)> OpenImportAsync(
        GitIndexRepository repository, string head, bool full, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.Source.StartActivity("Open import");
        var crateFiles = full
            ? (await repository.ListFilesAsync(head, cancellationToken)).Where(f => IndexPath.CrateNameOf(f.Path) is not null).ToList()
            : null;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var import = await IndexImport.BeginAsync(connection, crateFiles?.ConvertAll(f => IndexPath.CrateNameOf(f.Path)!), cancellationToken);
        return (import, crateFiles);
    }

    private static async IAsyncEnumerable<ParsedIndexFile> ParseAllAsync(IAsyncEnumerable<(string Blob, byte[] Content)> blobs,
        ILookup<string, string> pathsByBlob, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (blob, content) in blobs.WithCancellation(cancellationToken))
        {
            foreach (var path in pathsByBlob[blob])
            {
                yield return IndexFileStager.Parse(path, content);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "The index history no longer contains {Cursor}; reconciling the whole index at {Head}")]
    private static partial void LogHistoryRewritten(ILogger logger, string cursor, string head);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Sync pass ({Mode}) to {Head}: {Files} files, {Versions} versions read; {Added} added, {Yanked} yanked, {Unyanked} unyanked, {Removed} removed ({Cancelled} queued jobs cancelled), {Malformed} malformed lines skipped in {ElapsedMs:F0} ms")]
    private static partial void LogPass(ILogger logger, string mode, string head, int files, int versions, int added, int yanked,
        int unyanked, int cancelled, int removed, int malformed, double elapsedMs);
}
