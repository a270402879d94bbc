using System.Diagnostics;

namespace BuildsRs.Tests.Fixtures;

public static class Processes
{
    /// <summary>Runs a program to its end: its exit code, what it printed, and what it reported on stderr.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string file, params string[] arguments) =>
        RunAsync(new ProcessStartInfo(file, arguments), Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Runs a program to its end, within <paramref name="timeout"/> (then it is killed, with its children, and the
    /// call fails with what it printed so far).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{await output}\n{await errors}");
        }
        return (process.ExitCode, await output, await errors);
    }
}
