using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// Where a binary job's binaries run, read by the builder from their ELF headers: the machine (<c>x86-64</c>,
/// <c>aarch64</c>, <c>arm</c>, <c>x86</c>), <c>static</c> or <c>dynamic</c> linkage, and the newest glibc symbol
/// version any of them needs (<c>2.31</c>; none for static binaries).
/// </summary>
public sealed record BinaryPlatform(
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("linkage")] string Linkage,
    [property: JsonPropertyName("glibc")] string? Glibc);
