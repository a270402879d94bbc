using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Jobs;

[JsonConverter(typeof(SnakeCaseEnumJsonConverter<JobKind>))]
public enum JobKind
{
    /// <summary>Read the crate's binary targets and build settings.</summary>
    Metadata,

    /// <summary>Build the binaries for one target.</summary>
    Binary,

    /// <summary>Build an artifact again on another builder, from the same inputs, and report the hashes it got.</summary>
    Verify,
}
