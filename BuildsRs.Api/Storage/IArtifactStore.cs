namespace BuildsRs.Api.Storage;

/// <summary>Where artifacts live. Keys come from <see cref="Contracts.ArtifactNames.StorageKey"/>.</summary>
public interface IArtifactStore
{
    /// <summary>Stores the bytes under <paramref name="key"/> and checks that what storage returns has
    /// <paramref name="sha256"/>; on a mismatch nothing stays stored.</summary>
    Task PutAsync(string key, Stream content, long length, string sha256, CancellationToken cancellationToken);
}
