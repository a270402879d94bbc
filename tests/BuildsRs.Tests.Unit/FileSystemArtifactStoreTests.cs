using System.Security.Cryptography;
using BuildsRs.Api.Storage;
using BuildsRs.Contracts;

namespace BuildsRs.Tests.Unit;

/// <summary>The filesystem store keeps only complete, verified files under their deterministic keys.</summary>
public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "buildsrs-tests-store-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemArtifactStore store;

    public FileSystemArtifactStoreTests() => store = new FileSystemArtifactStore(root);

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string KeyOf(byte[] bytes) =>
        ArtifactNames.StorageKey("Demo", "1.0.0", "x86_64-unknown-linux-gnu", 0, Sha256(bytes), "Demo-1.0.0-x86_64-unknown-linux-gnu.tar.gz");

    [Fact]
    public async Task A_stored_artifact_is_the_exact_bytes_under_its_key()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);

        await store.PutAsync(KeyOf(bytes), new MemoryStream(bytes), bytes.Length, Sha256(bytes), CancellationToken.None);

        var path = Path.Combine(root, "crates", "demo", "1.0.0", "x86_64-unknown-linux-gnu", "0", Sha256(bytes), "Demo-1.0.0-x86_64-unknown-linux-gnu.tar.gz");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        Assert.Single(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_their_hash_leave_nothing_behind()
    {
        var bytes = RandomNumberGenerator.GetBytes(1000);

        var error = await Assert.ThrowsAsync<IOException>(() =>
            store.PutAsync(KeyOf([1, 2, 3]), new MemoryStream(bytes), bytes.Length, Sha256([1, 2, 3]), CancellationToken.None));

        Assert.Contains("other bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_stored_artifact_is_never_overwritten_and_the_same_bytes_again_are_kept_as_they_are()
    {
        byte[] first = [1, 2, 3], second = [4, 5, 6];
        await store.PutAsync(KeyOf(first), new MemoryStream(first), first.Length, Sha256(first), CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(KeyOf(first), new MemoryStream(second), second.Length, Sha256(second), CancellationToken.None));
        await store.PutAsync(KeyOf(first), new MemoryStream(first), first.Length, Sha256(first), CancellationToken.None);

        Assert.Equal(first, await File.ReadAllBytesAsync(store.PathOf(KeyOf(first))));
        Assert.Single(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("crates/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("crates//x")]
    [InlineData("crates/./x")]
    [InlineData("crates\\..\\x")]
    public async Task Keys_that_could_leave_the_directory_are_refused(string key)
    {
        byte[] bytes = [1];

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream(bytes), 1, Sha256(bytes), CancellationToken.None));

        Assert.False(Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any());
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
