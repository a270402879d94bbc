using System.Security.Cryptography;
using BuildsRs.Api.Storage;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>A version removed from the registry's index keeps its records and archives for as long as the operator
/// says, and no longer.</summary>
public sealed class RemovedVersionsRetentionTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("buildsrs-tests-retention-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task Only_versions_removed_longer_ago_than_the_retention_lose_their_records_and_stored_archives()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var db = PostgresServerFixture.CreateContext(connectionString);
        await db.Database.MigrateAsync();
        var store = new FileSystemArtifactStore(root);
        var now = DateTimeOffset.UtcNow;
        var crate = new Crate { Name = "buildsrs-retained" };
        var keys = new Dictionary<string, string>();
        foreach (var (version, removedAt) in new[] { ("1.0.0", now.AddDays(-10)), ("1.1.0", now.AddDays(-1)), ("1.2.0", (DateTimeOffset?)null) })
        {
            var bytes = RandomNumberGenerator.GetBytes(1000);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var key = ArtifactNames.StorageKey(crate.Name, version, "x86_64-unknown-linux-gnu", 0, sha256, "a.tar.gz");
            await store.PutAsync(key, new MemoryStream(bytes), bytes.Length, sha256, CancellationToken.None);
            var job = new Job { Kind = JobKind.Binary, Target = "x86_64-unknown-linux-gnu", State = JobState.Succeeded };
            job.Artifacts.Add(new Artifact { FileName = "a.tar.gz", StorageKey = key, Sha256 = sha256, Size = bytes.Length });
            var row = new CrateVersion { Crate = crate, Version = version, Checksum = new string('c', 64), RemovedAt = removedAt };
            row.Jobs.Add(job);
            db.Versions.Add(row);
            keys[version] = key;
        }
        await db.SaveChangesAsync();

        var ended = await RemovedVersionsRetention.EndExpiredAsync(db, store, now.AddDays(-7), CancellationToken.None);

        Assert.Equal(1, ended);
        Assert.Equal(["1.1.0", "1.2.0"], await db.Versions.Select(v => v.Version).OrderBy(v => v).ToListAsync());
        Assert.Equal([keys["1.1.0"], keys["1.2.0"]], await db.Artifacts.Select(a => a.StorageKey).OrderBy(k => k).ToListAsync());
        Assert.False(File.Exists(store.PathOf(keys["1.0.0"])));
        Assert.True(File.Exists(store.PathOf(keys["1.1.0"])));
        Assert.True(File.Exists(store.PathOf(keys["1.2.0"])));
    }
}
