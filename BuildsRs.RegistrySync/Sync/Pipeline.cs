using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace BuildsRs.RegistrySync.Sync;

internal static class Pipeline
{
    /// <summary>
    /// Runs <paramref name="source"/> on a task of its own, a bounded number of items ahead of the consumer, so that
    /// producing and consuming overlap. An exception of the source reaches the consumer; a consumer that stops early
    /// stops the source.
    /// </summary>
    public static async IAsyncEnumerable<T> Stage<T>(
        IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken, int capacity = 1024)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(stop.Token))
                {
                    await channel.Writer.WriteAsync(item, stop.Token);
                }
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }
}
