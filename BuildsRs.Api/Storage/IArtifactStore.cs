namespace BuildsRs.Api.Storage;

/// <summary>Where artifacts live. Keys come from <see cref="Contracts.ArtifactNames.StorageKey"/>.</summary>
public interface IArtifactStore
{
    /// <summary>Stores the bytes under <paramref name="key"/> and checks that what storage returns has
    /// <paramref name="sha256"/>; on a mismatch nothing stays stored. Storage that fails throws
    /// <see cref="IOException"/>.</summary>
    Task PutAsync(string key, Stream content, long length, string sha256, CancellationToken cancellationToken);

    /// <summary>Removes what is stored under <paramref name="key"/>, if anything.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Where a client downloads the artifact stored under <paramref name="key"/> as <paramref name="fileName"/>.</summary>
    Task<ArtifactLocation> LocateAsync(string key, string fileName);
}

/// <summary>A short-lived URL to send the client to (object storage), or a file this process serves itself.</summary>
public sealed record ArtifactLocation(Uri? Redirect, string? File);
