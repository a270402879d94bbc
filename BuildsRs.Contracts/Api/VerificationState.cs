using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Api;

/// <summary>Whether an independent builder, building an artifact again from the same inputs, got the same bytes.</summary>
[JsonConverter(typeof(SnakeCaseEnumJsonConverter<VerificationState>))]
public enum VerificationState
{
    /// <summary>No second build has been made yet.</summary>
    Unchecked,

    /// <summary>Another builder got the same archive, byte for byte.</summary>
    Reproduced,

    /// <summary>Another builder got different bytes (or could not build it at all).</summary>
    Differs,
}
