using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Data.Model;

/// <summary>One unit of work for a builder: a version's metadata, or its binaries for one target.</summary>
public class Job
{
    public long Id { get; set; }
    public long VersionId { get; set; }
    public CrateVersion Version { get; set; } = null!;
    public JobKind Kind { get; set; }

    /// <summary>The target triple of a binary job; null for a metadata job.</summary>
    public string? Target { get; set; }

    public JobState State { get; set; }

    /// <summary>Higher runs first; ties go to the oldest.</summary>
    public int Priority { get; set; }

    /// <summary>Counts explicit rebuilds: a rebuild is a new row with the next attempt number.</summary>
    public int Attempt { get; set; }

    /// <summary>How many times this row was handed out; bounded, so an infrastructure fault cannot loop forever.</summary>
    public int Claims { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public long? BuilderId { get; set; }
    public RegisteredBuilder? Builder { get; set; }

    /// <summary>SHA-256 of the upload token handed to the builder; the token itself is never stored.</summary>
    public byte[]? UploadTokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public JobOutcome? Outcome { get; set; }
    public int? ExitCode { get; set; }
    public string? Error { get; set; }

    /// <summary>The W3C trace context (<c>traceparent</c>) of whatever queued the job: its claim, build and result
    /// join that trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The author's settings the job was handed when claimed, as JSON: what its provenance names, whatever the
    /// version's settings are later. A verify job is handed those of the build it checks.</summary>
    public string? BuildSettings { get; set; }

    /// <summary>Characters of log stored so far (at most <see cref="Contracts.Builders.JobLog.MaxCharacters"/>): an
    /// append reads this, not the sum of what is stored.</summary>
    public int LogSize { get; set; }

    /// <summary>A verify job's artifact: the one it builds again.</summary>
    public long? ArtifactId { get; set; }
    public Artifact? VerifiedArtifact { get; set; }

    /// <summary>What a binary or verify job was built with, as its builder reported: the build image's ID, the toolchain
    /// and the SHA-256 of the <c>Cargo.lock</c> (in <c>lockfiles</c>).</summary>
    public string? BuilderImage { get; set; }
    public string? Toolchain { get; set; }
    public string? LockfileSha256 { get; set; }

    public List<Artifact> Artifacts { get; set; } = [];
}
