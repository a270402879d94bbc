using System.Collections;
using System.Management.Automation;

namespace BuildsRs.Tests.Fixtures;

/// <summary>Runs a script with the real PowerShell engine, hosted in the test process (the engine pwsh runs).</summary>
public static class PowerShellScript
{
    /// <summary>Runs <paramref name="script"/> with <paramref name="parameters"/> bound to its <c>param()</c> block:
    /// whether it ended without an error, and what it wrote (host lines, warnings, the error that ended it).</summary>
    public static Task<(bool Succeeded, string Output)> RunAsync(string script, IDictionary parameters) => Task.Run(() =>
    {
        using var shell = PowerShell.Create();
        shell.AddScript(script).AddParameters(parameters);
        string? failure = null;
        try
        {
            shell.Invoke();
        }
        catch (RuntimeException ex)
        {
            failure = ex.Message;
        }
        var written = shell.Streams.Information.Select(i => i.MessageData?.ToString())
            .Concat(shell.Streams.Warning.Select(w => "WARNING: " + w.Message))
            .Concat(shell.Streams.Error.Select(e => e.ToString()));
        return (failure is null && !shell.HadErrors, string.Join('\n', [.. written, failure]));
    });
}
