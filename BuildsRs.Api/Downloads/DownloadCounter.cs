namespace BuildsRs.Api.Downloads;

/// <summary>
/// Downloads counted in memory per artifact and day; <see cref="DownloadCountFlusher"/> adds them to the database.
/// Counts are added, never set, so any number of Api instances count correctly together.
/// </summary>
internal sealed class DownloadCounter(TimeProvider clock)
{
    private readonly Lock gate = new();
    private Dictionary<(long ArtifactId, DateOnly Day), long> pending = [];

    public void Record(long artifactId)
    {
        var key = (artifactId, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        lock (gate)
        {
            pending[key] = pending.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>Takes what was counted so far; counting goes on into a fresh table.</summary>
    public IReadOnlyDictionary<(long ArtifactId, DateOnly Day), long> Take()
    {
        lock (gate)
        {
            var taken = pending;
            pending = [];
            return taken;
        }
    }

    /// <summary>Puts back counts that could not be written, so that they go with the next flush.</summary>
    public void Return(IReadOnlyDictionary<(long ArtifactId, DateOnly Day), long> counts)
    {
        lock (gate)
        {
            foreach (var (key, count) in counts)
            {
                pending[key] = pending.GetValueOrDefault(key) + count;
            }
        }
    }
}
