using System.Security.Cryptography;
using BuildsRs.Api.Infrastructure;

namespace BuildsRs.Api.Storage;

/// <summary>
/// Artifacts as files under one directory, for a single machine or a shared volume. A file appears under its key
/// only once it is complete and verified: it is written beside it under a temporary name, read back, then renamed.
/// </summary>
internal sealed class FileSystemArtifactStore(string root) : IArtifactStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public async Task PutAsync(string key, Stream content, long length, string sha256, CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("Store artifact");
        activity?.SetTag("buildsrs.artifact.key", key);
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            await using (var written = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            {
                var readBack = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken));
                if (written.Length != length || readBack != sha256)
                {
                    throw new IOException($"the disk returned other bytes for {key} ({readBack}, {written.Length} bytes; expected {sha256}, {length} bytes)");
                }
            }
            try
            {
                File.Move(partial, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // The same bytes arrived by another upload first: the key names its content, so they are what is wanted.
                if (!await HasAsync(path, sha256, cancellationToken))
                {
                    throw;
                }
            }
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private static async Task<bool> HasAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        await using var stored = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stored, cancellationToken)) == sha256;
    }

    public Task<ArtifactLocation> LocateAsync(string key, string fileName) => Task.FromResult(new ArtifactLocation(null, PathOf(key)));

    /// <summary>The file of a key; keys are relative paths of plain segments, so nothing can point outside the root.</summary>
    public string PathOf(string key)
    {
        var segments = key.Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".." || s.Contains('\\', StringComparison.Ordinal) || s.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{key}' is not a valid artifact key", nameof(key));
        }
        return Path.Combine([Root, .. segments]);
    }
}
