using System.Collections.Concurrent;

namespace BuildsRs.Api.Builders;

/// <summary>
/// The builder connections this Api instance serves, so that an operator who disables a builder ends its live
/// connection at once. A builder connected to another instance is ended there by its next heartbeat (every 10 s), and
/// from the moment it is disabled nothing it sends counts anywhere (see <c>JobLifecycleSql.BuilderEnabled</c>).
/// </summary>
internal sealed class BuilderConnections
{
    private readonly ConcurrentDictionary<CancellationTokenSource, long> live = new();

    /// <summary>Lists a connection until the returned registration is disposed; <paramref name="end"/> is cancelled
    /// when its builder is disabled.</summary>
    public IDisposable Register(long builderId, CancellationTokenSource end)
    {
        live[end] = builderId;
        return new Registration(this, end);
    }

    public void Disconnect(long builderId)
    {
        foreach (var (end, id) in live)
        {
            if (id == builderId)
            {
                end.Cancel();
            }
        }
    }

    private sealed class Registration(BuilderConnections connections, CancellationTokenSource end) : IDisposable
    {
        public void Dispose() => connections.live.TryRemove(end, out _);
    }
}
