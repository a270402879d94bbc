using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BuildsRs.Contracts.Registry;
using Microsoft.Extensions.Options;

namespace BuildsRs.LocalRegistry.Storage;

/// <summary>
/// The registry on disk: <c>crates/{name}/{name}-{version}.crate</c> and a git index in crates.io's layout (one
/// commit per change). Reads go straight to the files; changes are serialised and each file is replaced atomically.
/// </summary>
public sealed class RegistryStore(IOptions<LocalRegistryOptions> options) : IDisposable
{
    private readonly SemaphoreSlim writer = new(1, 1);

    public string IndexDirectory => Path.Combine(options.Value.DataDirectory, "index");
    public string GitDirectory => Path.Combine(IndexDirectory, ".git");
    private string CratesDirectory => Path.Combine(options.Value.DataDirectory, "crates");

    /// <summary>Fills an empty data directory from the seed, and points <c>config.json</c> at this registry's URL.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!Directory.Exists(GitDirectory))
        {
            if (!Directory.Exists(Path.Combine(settings.SeedDirectory, "index", ".git")))
            {
                throw new InvalidSettingException(
                    $"no registry at {settings.DataDirectory} and no seed at {settings.SeedDirectory}: run provisioning/provision.sh.");
            }
            CopyDirectory(settings.SeedDirectory, settings.DataDirectory);
        }

        var config = JsonSerializer.Serialize(new RegistryConfig
        {
            Dl = $"{settings.PublicUrl.ToString().TrimEnd('/')}/api/v1/crates/{{crate}}/{{version}}/download",
            Api = settings.PublicUrl.ToString().TrimEnd('/'),
        }, RegistryJsonContext.Default.RegistryConfig);
        var configPath = Path.Combine(IndexDirectory, "config.json");
        if (!File.Exists(configPath) || await File.ReadAllTextAsync(configPath, cancellationToken) != config)
        {
            await WriteAtomicallyAsync(configPath, Encoding.UTF8.GetBytes(config), cancellationToken);
            await Git.CommitAsync(IndexDirectory, $"Serve downloads from {settings.PublicUrl}", cancellationToken);
        }
    }

    /// <summary>A file of the index (a crate's lines, or <c>config.json</c>), or null when there is none.</summary>
    public async Task<byte[]?> ReadIndexFileAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(Path.Combine(IndexDirectory, path));
        return full.StartsWith(IndexDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
               && !full.StartsWith(GitDirectory, StringComparison.Ordinal)
               && File.Exists(full)
            ? await File.ReadAllBytesAsync(full, cancellationToken)
            : null;
    }

    public string CratePath(string name, string version) =>
        Path.Combine(CratesDirectory, name.ToLowerInvariant(), $"{name.ToLowerInvariant()}-{version}.crate");

    /// <summary>The index lines of a crate, or an empty list for an unknown crate.</summary>
    public async Task<List<IndexLine>> ReadLinesAsync(string name, CancellationToken cancellationToken)
    {
        var content = await ReadIndexFileAsync(IndexPath.For(name), cancellationToken);
        return content is null
            ? []
            : Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize(line, RegistryJsonContext.Default.IndexLine)!)
                .ToList();
    }

    /// <summary>Adds a version: stores its <c>.crate</c> and appends its index line, as one commit.</summary>
    public async Task PublishAsync(IndexLine line, byte[] crate, CancellationToken cancellationToken)
    {
        await writer.WaitAsync(cancellationToken);
        try
        {
            var lines = await ReadLinesAsync(line.Name!, cancellationToken);
            if (lines.Any(l => l.Vers == line.Vers))
            {
                throw new RegistryConflictException($"{line.Name} {line.Vers} is already published");
            }
            if (lines.Count > 0 && lines[0].Name != line.Name)
            {
                throw new RegistryConflictException($"the crate is published as '{lines[0].Name}'");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(CratePath(line.Name!, line.Vers!))!);
            await WriteAtomicallyAsync(CratePath(line.Name!, line.Vers!), crate, cancellationToken);
            await WriteLinesAsync(line.Name!, [.. lines, line], cancellationToken);
            await Git.CommitAsync(IndexDirectory, $"Publish {line.Name} {line.Vers}", cancellationToken);
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>Changes one version's lines (yank, unyank) or drops it (null), as one commit. False if there is no such version.</summary>
    public async Task<bool> ChangeVersionAsync(string name, string version, Func<IndexLine, IndexLine?> change, string message, CancellationToken cancellationToken)
    {
        await writer.WaitAsync(cancellationToken);
        try
        {
            var lines = await ReadLinesAsync(name, cancellationToken);
            var index = lines.FindIndex(l => l.Vers == version);
            if (index < 0)
            {
                return false;
            }
            var changed = change(lines[index]);
            if (changed is null)
            {
                lines.RemoveAt(index);
            }
            else
            {
                lines[index] = changed;
            }
            await WriteLinesAsync(name, lines, cancellationToken);
            await Git.CommitAsync(IndexDirectory, message, cancellationToken);
            return true;
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>Writes a crate's whole index file (used by the seeder and by changes); no lines removes the file.</summary>
    public async Task WriteLinesAsync(string name, IReadOnlyList<IndexLine> lines, CancellationToken cancellationToken)
    {
        var path = Path.Combine(IndexDirectory, IndexPath.For(name));
        if (lines.Count == 0)
        {
            File.Delete(path);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = string.Concat(lines.Select(l => JsonSerializer.Serialize(l, RegistryJsonContext.Default.IndexLine) + "\n"));
        await WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    public void Dispose() => writer.Dispose();

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
