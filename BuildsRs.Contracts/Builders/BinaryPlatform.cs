using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Builders;

/// <summary>
/// Where a binary job's binaries run, read by the builder from their headers: the machine (<c>x86-64</c>,
/// <c>aarch64</c>, <c>arm</c>, <c>x86</c>), <c>static</c> or <c>dynamic</c> linkage, and the newest glibc symbol
/// version any of them needs (<c>2.31</c>; none for static binaries). Windows executables also say their
/// <see cref="Subsystem"/> (<c>console</c>, <c>gui</c>) and the DLLs they import, all of which Windows has.
/// </summary>
public sealed record BinaryPlatform(
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("linkage")] string Linkage,
    [property: JsonPropertyName("glibc")] string? Glibc,
    [property: JsonPropertyName("subsystem")] string? Subsystem = null,
    [property: JsonPropertyName("dlls")] IReadOnlyList<string>? Dlls = null);
