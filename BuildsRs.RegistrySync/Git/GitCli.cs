using System.Diagnostics;
using System.Text;

namespace BuildsRs.RegistrySync.Git;

/// <summary>Runs the git command line in one repository. Git is the reference implementation of its own protocols
/// (smart and dumb HTTP, SSH, local paths), and reads crates.io's history-squashed index as well as any other.</summary>
internal sealed class GitCli(string gitDirectory)
{
    public string GitDirectory { get; } = gitDirectory;

    /// <summary>Runs git and returns its standard output; throws <see cref="GitException"/> on a non-zero exit.</summary>
    public async Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await RunRawAsync(arguments, cancellationToken);
        return exitCode == 0
            ? output
            : throw new GitException($"git {string.Join(' ', arguments)} failed ({exitCode}): {error.Trim()}");
    }

    /// <summary>Runs git and returns its exit code with what it wrote, for commands whose exit code is an answer.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunRawAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var git = Process.Start(StartInfo(arguments)) ?? throw new GitException("git could not be started");
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = git.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await git.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            git.Kill(entireProcessTree: true);
            throw;
        }
        return (git.ExitCode, await output, await error);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
            Environment =
            {
                ["GIT_DIR"] = GitDirectory,
                // Never wait for credentials or a pager: this runs unattended.
                ["GIT_TERMINAL_PROMPT"] = "0",
                ["GIT_PAGER"] = "cat",
                ["LC_ALL"] = "C",
            },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
