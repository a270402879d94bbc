using BuildsRs.Data.Model;

namespace BuildsRs.Api.Builds;

/// <summary>The part of a job that says where a version stands.</summary>
internal sealed record JobRow(long VersionId, JobKind Kind, string? Target, int Attempt, JobState State, OutcomeClass? Outcome);
