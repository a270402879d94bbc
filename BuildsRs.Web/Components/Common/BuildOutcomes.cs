using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using MudBlazor;

namespace BuildsRs.Web.Components.Common;

/// <summary>A build's state and outcome in words and colour, the same on every page.</summary>
public static class BuildOutcomes
{
    /// <summary>A short label for a state chip: the outcome when the build ended, else the state.</summary>
    public static string Label(VersionState state, JobOutcome? outcome) => (state, outcome) switch
    {
        (_, JobOutcome.Succeeded) or (VersionState.Succeeded, null) => "built",
        (_, JobOutcome.BuildFailed) => "build failed",
        (_, JobOutcome.NoBinaries) => "no binaries",
        (_, JobOutcome.OutOfMemory) => "out of memory",
        (_, JobOutcome.DiskLimit) => "out of disk",
        (_, JobOutcome.TimedOut) => "timed out",
        (_, JobOutcome.NoOutput) => "stalled",
        (_, JobOutcome.Rejected) => "rejected",
        (_, JobOutcome.InfrastructureError) => "infrastructure error",
        (VersionState.Pending, _) => "not looked at yet",
        _ => EnumText.Of(state).Replace('_', ' '),
    };

    public static Color Color(VersionState state, JobOutcome? outcome) => (state, outcome) switch
    {
        (_, JobOutcome.Succeeded) or (VersionState.Succeeded, null) => MudBlazor.Color.Success,
        (_, JobOutcome.InfrastructureError) => MudBlazor.Color.Warning,
        (VersionState.Failed, _) or (_, not null) => MudBlazor.Color.Error,
        (VersionState.Running, _) => MudBlazor.Color.Info,
        (VersionState.Queued, _) => MudBlazor.Color.Primary,
        _ => MudBlazor.Color.Default,
    };

    /// <summary>
    /// What an outcome means for the person reading it. The builder's own message says which limit was hit
    /// ("the build ran out of memory at 2 GiB"), so it is the explanation when there is one.
    /// </summary>
    public static string Explain(VersionState state, JobOutcome? outcome, string? error) => (state, outcome) switch
    {
        (VersionState.Cancelled, _) => Sentence(error) is { } why ? $"Cancelled: {char.ToLowerInvariant(why[0])}{why[1..]}" : "Cancelled.",
        (_, var ended) => Explain(ended, error),
    };

    private static string Explain(JobOutcome? outcome, string? error) => outcome switch
    {
        JobOutcome.Succeeded => "Built: the binaries are ready to download.",
        JobOutcome.BuildFailed => "The crate did not compile in the sandbox; the log shows why.",
        JobOutcome.NoBinaries => "No binary targets: the build succeeded but installed no binary.",
        JobOutcome.OutOfMemory => Sentence(error) ?? "The build ran out of memory.",
        JobOutcome.DiskLimit => Sentence(error) ?? "The build ran out of disk space: it wrote more than the sandbox allows.",
        JobOutcome.TimedOut => Sentence(error) ?? "The build ran out of time.",
        JobOutcome.NoOutput => Sentence(error) ?? "The build printed nothing for too long and was stopped.",
        JobOutcome.Rejected => Sentence(error) is { } why
            ? $"Rejected before anything ran: {char.ToLowerInvariant(why[0])}{why[1..]}"
            : "Rejected before anything ran: the .crate or its manifest is not one the sandbox builds.",
        JobOutcome.InfrastructureError => "Not the crate's fault: the builder or the registry failed, and the build is tried again.",
        null => "Not finished yet.",
        _ => EnumText.Of(outcome.Value).Replace('_', ' '),
    };

    private static string? Sentence(string? error) =>
        string.IsNullOrWhiteSpace(error) ? null : char.ToUpperInvariant(error[0]) + FirstLine(error)[1..] + ".";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('.', ' ', '\r');
}
