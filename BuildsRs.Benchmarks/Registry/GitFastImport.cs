using System.Diagnostics;
using System.Text;

namespace BuildsRs.Benchmarks.Registry;

/// <summary>Writes a commit of many files into a bare repository with <c>git fast-import</c>, which takes millions of
/// files in minutes where <c>git add</c> would take hours.</summary>
internal static class GitFastImport
{
    public static async Task CommitAsync(string repository, IEnumerable<(string Path, string Content)> files, string message, bool onTopOfHead)
    {
        var start = new ProcessStartInfo("git", ["--git-dir", repository, "fast-import", "--quiet", "--force"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEndAsync();
        await using (var input = new BufferedStream(git.StandardInput.BaseStream, 1 << 20))
        {
            var header = new StringBuilder()
                .Append("commit refs/heads/master\n")
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"committer Benchmark <benchmark@localhost> {DateTimeOffset.UtcNow.ToUnixTimeSeconds()} +0000\n")
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"data {Encoding.UTF8.GetByteCount(message)}\n{message}\n");
            if (onTopOfHead)
            {
                header.Append("from refs/heads/master^0\n");
            }
            await input.WriteAsync(Encoding.UTF8.GetBytes(header.ToString()));
            foreach (var (path, content) in files)
            {
                var bytes = Encoding.UTF8.GetBytes(content);
                await input.WriteAsync(Encoding.UTF8.GetBytes($"M 100644 inline {path}\ndata {bytes.Length}\n"));
                await input.WriteAsync(bytes);
                await input.WriteAsync("\n"u8.ToArray());
            }
        }
        await git.WaitForExitAsync();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git fast-import failed: {await error}");
        }
    }
}
