using BuildsRs.Data.Model;

namespace BuildsRs.Data.Jobs;

/// <summary>A job just handed to a builder, and the W3C trace context (the claim's span) its work continues.</summary>
public sealed record ClaimedJob(Job Job, string? TraceParent);
