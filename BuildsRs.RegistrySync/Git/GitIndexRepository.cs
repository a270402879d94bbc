using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace BuildsRs.RegistrySync.Git;

/// <summary>
/// A bare local mirror of a registry's git index: fetched on demand, diffed between commits, read in bulk.
/// Only the remote's HEAD is followed, under a ref of our own, so a force-push simply moves it.
/// </summary>
public sealed class GitIndexRepository
{
    private const string HeadRef = "refs/buildsrs/head";
    private const string PromisorRemote = "registry";
    private const string PromisorFilter = "blob:limit=1g";
    private readonly GitCli git;
    private readonly string remoteUrl;

    public GitIndexRepository(string directory, string remoteUrl)
    {
        git = new GitCli(directory);
        this.remoteUrl = remoteUrl;
    }

    /// <summary>
    /// Fetches the remote's HEAD (creating the mirror on first use) and returns the commit it points at.
    /// <para>
    /// After an ordinary fetch, git checks connectivity by walking every tree of the commits it already had (about
    /// 200,000 on crates.io: half a second on every pass, whatever the change's size). From a remote that speaks the smart
    /// protocol, the fetch treats the registry as a promisor remote, as a partial clone does, for this one command:
    /// git then only checks that the new commit came in the pack it received. The filter leaves out only blobs no index
    /// file comes near, and nothing is fetched later on demand: outside this fetch the mirror is an ordinary repository,
    /// where a missing object is an error. Over "dumb" HTTP, git has no such fetch and the mirror fetches as before.
    /// </para>
    /// </summary>
    public async Task<string> FetchAsync(bool smartProtocol, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(git.GitDirectory, "objects")))
        {
            Directory.CreateDirectory(git.GitDirectory);
            await git.RunAsync(["init", "--quiet", "--bare"], cancellationToken);
        }
        string[] fetch = smartProtocol
            ? ["-c", $"remote.{PromisorRemote}.url={remoteUrl}", "-c", $"remote.{PromisorRemote}.promisor=true",
               "-c", $"remote.{PromisorRemote}.partialclonefilter={PromisorFilter}", "fetch", PromisorRemote]
            : ["fetch", remoteUrl];
        await git.RunAsync([.. fetch, "--quiet", "--no-tags", "--force", $"+HEAD:{HeadRef}"], cancellationToken);
        return (await git.RunAsync(["rev-parse", HeadRef], cancellationToken)).Trim();
    }

    /// <summary>Whether <paramref name="commit"/> is in the history of <paramref name="head"/>; false when it is
    /// unknown (a squashed or rewritten history).</summary>
    public async Task<bool> IsAncestorAsync(string commit, string head, CancellationToken cancellationToken)
    {
        var (exitCode, _, _) = await git.RunRawAsync(["merge-base", "--is-ancestor", commit, head], cancellationToken);
        return exitCode == 0;
    }

    public async Task<int> CountCommitsAsync(string from, string to, CancellationToken cancellationToken) =>
        int.Parse(await git.RunAsync(["rev-list", "--count", $"{from}..{to}"], cancellationToken), CultureInfo.InvariantCulture);

    /// <summary>Paths added, changed or deleted between two commits.</summary>
    public async Task<IReadOnlyList<string>> ChangedPathsAsync(string from, string to, CancellationToken cancellationToken) =>
        Split(await git.RunAsync(["diff", "--name-only", "--no-renames", "-z", from, to], cancellationToken));

    /// <summary>Every file of a commit, with its blob id.</summary>
    public async Task<IReadOnlyList<(string Path, string Blob)>> ListFilesAsync(string commit, CancellationToken cancellationToken) =>
        Split(await git.RunAsync(["ls-tree", "-r", "-z", "--full-tree", commit], cancellationToken))
            .Select(entry => (Meta: entry[..entry.IndexOf('\t', StringComparison.Ordinal)], Path: entry[(entry.IndexOf('\t', StringComparison.Ordinal) + 1)..]))
            .Where(e => e.Meta.Split(' ')[1] == "blob")
            .Select(e => (e.Path, e.Meta.Split(' ')[2]))
            .ToList();

    /// <summary>
    /// Streams the content of many objects (<c>blob-id</c> or <c>commit:path</c>) through one <c>git cat-file --batch</c>,
    /// in order; a missing object yields null content. For a few objects: reading a whole index this way makes git
    /// resolve delta chains over and over.
    /// </summary>
    public async IAsyncEnumerable<(string Name, byte[]? Content)> ReadAsync(
        IEnumerable<string> objectNames, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var catFile = Process.Start(git.StartInfo(["cat-file", "--batch"])) ?? throw new GitException("git cat-file could not be started");
        var names = new ConcurrentQueue<string>();
        var writer = Task.Run(async () =>
        {
            foreach (var name in objectNames)
            {
                names.Enqueue(name);
                await catFile.StandardInput.WriteAsync((name + "\n").AsMemory(), cancellationToken);
            }
            catFile.StandardInput.Close();
        }, cancellationToken);

        await foreach (var (header, content) in ReadObjectsAsync(catFile, cancellationToken))
        {
            names.TryDequeue(out var name);
            yield return (name!, header.EndsWith(" missing", StringComparison.Ordinal) ? null : content);
        }
        await writer;
    }

    /// <summary>
    /// Streams the blobs among <paramref name="wanted"/> in the order they are stored in the packs, which lets git
    /// resolve each delta once: a whole crates.io-sized index in seconds, with bounded memory. Each blob comes once,
    /// even when several packs hold it.
    /// </summary>
    public async IAsyncEnumerable<(string Blob, byte[] Content)> ReadBlobsInStorageOrderAsync(
        IEnumerable<string> blobs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var catFile = Process.Start(git.StartInfo(["cat-file", "--batch-all-objects", "--batch", "--unordered"]))
            ?? throw new GitException("git cat-file could not be started");
        catFile.StandardInput.Close();
        var wanted = blobs.ToHashSet(StringComparer.Ordinal);
        await foreach (var (header, content) in ReadObjectsAsync(catFile, cancellationToken))
        {
            var blob = header[..header.IndexOf(' ', StringComparison.Ordinal)];
            if (wanted.Remove(blob))
            {
                yield return (blob, content);
            }
        }
        if (wanted.Count > 0)
        {
            throw new GitException($"the mirror lacks {wanted.Count} blobs of the index, {wanted.First()} among them");
        }
    }

    /// <summary>Reads <c>cat-file --batch</c> output: a header line, then (unless missing) the object and a newline.</summary>
    private static async IAsyncEnumerable<(string Header, byte[] Content)> ReadObjectsAsync(
        Process catFile, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var errors = catFile.StandardError.ReadToEndAsync(cancellationToken);
        // Headers are short and many: read them from a buffer, not byte by byte from the pipe.
        await using var output = new BufferedStream(catFile.StandardOutput.BaseStream, 1 << 20);
        while (ReadLine(output) is { } header)
        {
            if (header.EndsWith(" missing", StringComparison.Ordinal))
            {
                yield return (header, []);
                continue;
            }
            var content = new byte[int.Parse(header[(header.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)];
            output.ReadExactly(content);
            output.ReadByte(); // the newline after each object
            yield return (header, content);
        }
        await catFile.WaitForExitAsync(cancellationToken);
        if (catFile.ExitCode != 0)
        {
            throw new GitException($"git cat-file failed ({catFile.ExitCode}): {await errors}");
        }
    }

    private static string? ReadLine(BufferedStream stream)
    {
        var line = new StringBuilder();
        for (var next = stream.ReadByte(); next >= 0; next = stream.ReadByte())
        {
            if (next == '\n')
            {
                return line.ToString();
            }
            line.Append((char)next);
        }
        return line.Length == 0 ? null : line.ToString();
    }

    private static List<string> Split(string nulSeparated) =>
        nulSeparated.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
}
