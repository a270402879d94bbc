using System.Diagnostics;

namespace BuildsRs.LocalRegistry.Storage;

/// <summary>Runs git in the index working tree, as the registry's only writer.</summary>
internal static class Git
{
    public static async Task<string> RunAsync(string workTree, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workTree,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["GIT_AUTHOR_NAME"] = "BuildsRs local registry",
                ["GIT_AUTHOR_EMAIL"] = "registry@localhost",
                ["GIT_COMMITTER_NAME"] = "BuildsRs local registry",
                ["GIT_COMMITTER_EMAIL"] = "registry@localhost",
                ["GIT_TERMINAL_PROMPT"] = "0",
            },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var git = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken);
        return git.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await error}");
    }

    /// <summary>Commits everything in the working tree as one change and refreshes what dumb-HTTP clients read.</summary>
    public static async Task CommitAsync(string workTree, string message, CancellationToken cancellationToken)
    {
        await RunAsync(workTree, cancellationToken, "add", "--all");
        await RunAsync(workTree, cancellationToken, "commit", "--quiet", "--allow-empty", "-m", message);
        await RunAsync(workTree, cancellationToken, "update-server-info");
    }
}
