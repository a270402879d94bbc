namespace BuildsRs.Api.Downloads;

/// <summary>
/// Downloads counted in memory per artifact; <see cref="DownloadCountFlusher"/> adds them to the database under the
/// database's day, like every stored time. Counts are added, never set, so any number of Api instances count correctly
/// together.
/// </summary>
internal sealed class DownloadCounter
{
    private readonly Lock gate = new();
    private Dictionary<long, long> pending = [];

    public void Record(long artifactId)
    {
        lock (gate)
        {
            pending[artifactId] = pending.GetValueOrDefault(artifactId) + 1;
        }
    }

    /// <summary>Takes what was counted so far; counting goes on into a fresh table.</summary>
    public IReadOnlyDictionary<long, long> Take()
    {
        lock (gate)
        {
            var taken = pending;
            pending = [];
            return taken;
        }
    }

    /// <summary>Puts back counts that could not be written, so that they go with the next flush.</summary>
    public void Return(IReadOnlyDictionary<long, long> counts)
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
