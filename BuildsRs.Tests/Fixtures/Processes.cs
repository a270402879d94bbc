using System.Diagnostics;

namespace BuildsRs.Tests.Fixtures;

public static class Processes
{
    /// <summary>Runs a program to its end: its exit code, what it printed, and what it reported on stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
