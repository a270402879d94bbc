using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Jobs;

/// <summary>Why a job ended as it did. Only <see cref="InfrastructureError"/> is retried: every other outcome is the
/// crate's own and final.</summary>
[JsonConverter(typeof(SnakeCaseEnumJsonConverter<JobOutcome>))]
public enum JobOutcome
{
    Succeeded,

    /// <summary>The crate did not compile (or a step of the build failed) in the sandbox.</summary>
    BuildFailed,

    /// <summary>The build succeeded but installed no binary.</summary>
    NoBinaries,

    /// <summary>The build's processes used more than the sandbox's memory.</summary>
    OutOfMemory,

    /// <summary>The build filled its <c>/tmp</c> allowance.</summary>
    DiskLimit,

    TimedOut,

    /// <summary>The build printed nothing for longer than the no-output limit.</summary>
    NoOutput,

    /// <summary>The <c>.crate</c> was refused before anything ran: an unsafe archive entry, or a manifest that names a
    /// source other than the registry.</summary>
    Rejected,

    /// <summary>The builder, its Docker engine, storage or the registry failed: not the crate's fault.</summary>
    InfrastructureError,
}
