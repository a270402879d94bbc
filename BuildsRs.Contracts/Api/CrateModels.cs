namespace BuildsRs.Contracts.Api;

/// <summary>A search hit: the crate and how its newest version fares.</summary>
public sealed record CrateSummary(string Name, string? LatestVersion, int Versions, BuildState? LatestBuild);

/// <summary>A crate with its versions, newest first.</summary>
public sealed record CrateDetails(string Name, IReadOnlyList<VersionSummary> Versions);

public sealed record VersionSummary(string Version, bool Yanked, DateTimeOffset? PublishedAt, bool LibraryOnly, IReadOnlyList<TargetState> Targets);

/// <summary>Where a version stands for one target: its newest job's state and outcome.</summary>
public sealed record TargetState(string Target, string State, string? Outcome);

/// <summary>The state of a crate's newest version: <c>succeeded</c>, <c>failed</c>, <c>queued</c>, <c>running</c>,
/// <c>library</c> (nothing to build) or <c>pending</c> (not looked at yet).</summary>
public sealed record BuildState(string Version, string State);
