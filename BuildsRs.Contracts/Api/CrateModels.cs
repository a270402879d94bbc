using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Contracts.Api;

/// <summary>A search hit: the crate and how its newest version fares.</summary>
public sealed record CrateSummary(string Name, string? LatestVersion, int Versions, BuildState? LatestBuild);

/// <summary>A crate with its versions, newest first. <see cref="Latest"/> is its latest version (see
/// <see cref="VersionNumber.Latest{T}"/>); null when every version is yanked.</summary>
public sealed record CrateDetails(string Name, string? Latest, IReadOnlyList<VersionSummary> Versions);

public sealed record VersionSummary(string Version, bool Yanked, DateTimeOffset? PublishedAt, bool LibraryOnly, IReadOnlyList<TargetState> Targets);

/// <summary>Where a version stands for one target: its newest job's state and outcome.</summary>
public sealed record TargetState(string Target, JobState State, JobOutcome? Outcome);

/// <summary>Where a crate's latest version stands.</summary>
public sealed record BuildState(string Version, VersionState State);
