namespace BuildsRs.Contracts.Api;

/// <summary>A builder as anyone may see it: no key, no address.</summary>
public sealed record FleetBuilder(
    string Name, IReadOnlyList<string> Targets, bool Enabled, bool Connected, DateTimeOffset? LastSeenAt, IReadOnlyList<long> CurrentJobs);
