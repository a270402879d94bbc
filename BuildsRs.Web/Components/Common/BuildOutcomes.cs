using MudBlazor;

namespace BuildsRs.Web.Components.Common;

/// <summary>A build's state and outcome in words and colour, the same on every page.</summary>
public static class BuildOutcomes
{
    /// <summary>A short label for a state chip: the outcome when the build ended, else the state.</summary>
    public static string Label(string state, string? outcome) => (state, outcome) switch
    {
        (_, "succeeded") or ("succeeded", null) => "built",
        (_, "build_failed") => "build failed",
        (_, "no_binaries") => "no binaries",
        (_, "out_of_memory") => "out of memory",
        (_, "timed_out") => "timed out",
        (_, "no_output") => "stalled",
        (_, "infrastructure_error") => "infrastructure error",
        ("library", _) => "library",
        ("pending", _) => "not looked at yet",
        _ => state.Replace('_', ' '),
    };

    public static Color Color(string state, string? outcome) => (state, outcome) switch
    {
        (_, "succeeded") or ("succeeded", null) => MudBlazor.Color.Success,
        (_, "infrastructure_error") => MudBlazor.Color.Warning,
        ("failed", _) or (_, not null) => MudBlazor.Color.Error,
        ("running", _) => MudBlazor.Color.Info,
        ("queued", _) => MudBlazor.Color.Primary,
        _ => MudBlazor.Color.Default,
    };

    /// <summary>
    /// What an outcome means for the person reading it. The builder's own message says which limit was hit
    /// ("the build ran out of memory at 2 GiB"), so it is the explanation when there is one.
    /// </summary>
    public static string Explain(string state, string? outcome, string? error) => (state, outcome) switch
    {
        ("cancelled", _) => Sentence(error) is { } why ? $"Cancelled: {char.ToLowerInvariant(why[0])}{why[1..]}" : "Cancelled.",
        (_, var ended) => Explain(ended, error),
    };

    private static string Explain(string? outcome, string? error) => outcome switch
    {
        "succeeded" => "Built: the binaries are ready to download.",
        "build_failed" => "The crate did not compile in the sandbox; the log shows why.",
        "no_binaries" => "No binary targets: the build succeeded but installed no binary.",
        "out_of_memory" => Sentence(error) ?? "The build ran out of memory.",
        "timed_out" => Sentence(error) ?? "The build ran out of time.",
        "no_output" => Sentence(error) ?? "The build printed nothing for too long and was stopped.",
        "infrastructure_error" => "Not the crate's fault: the builder or the registry failed, and the build is tried again.",
        null => "Not finished yet.",
        _ => outcome.Replace('_', ' '),
    };

    private static string? Sentence(string? error) =>
        string.IsNullOrWhiteSpace(error) ? null : char.ToUpperInvariant(error[0]) + FirstLine(error)[1..] + ".";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('.', ' ', '\r');
}
