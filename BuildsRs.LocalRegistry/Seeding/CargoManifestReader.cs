using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using BuildsRs.Contracts.Registry;
using BuildsRs.LocalRegistry.Storage;

namespace BuildsRs.LocalRegistry.Seeding;

/// <summary>Reads a crate's manifest through real cargo (<c>cargo metadata --no-deps</c>) into its index line.</summary>
internal static class CargoManifestReader
{
    public static async Task<IndexLine> ReadAsync(string sourceDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("cargo")
        {
            ArgumentList = { "metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path", Path.Combine(sourceDirectory, "Cargo.toml") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A crate's own rust-toolchain file must not pick the toolchain.
            Environment = { ["RUSTUP_TOOLCHAIN"] = "stable" },
        };
        using var cargo = Process.Start(start) ?? throw new InvalidOperationException("cargo could not be started");
        var output = cargo.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = cargo.StandardError.ReadToEndAsync(cancellationToken);
        await cargo.WaitForExitAsync(cancellationToken);
        if (cargo.ExitCode != 0)
        {
            throw new InvalidOperationException($"cargo metadata failed for {sourceDirectory}: {await error}");
        }
        var metadata = JsonSerializer.Deserialize(await output, SeedingJsonContext.Default.CargoMetadata)
            ?? throw new InvalidOperationException($"cargo metadata printed nothing for {sourceDirectory}");
        return ToIndexLine(metadata.Packages.Single());
    }

    /// <summary>As crates.io writes it, without dev-dependencies (building a binary never needs them).</summary>
    public static IndexLine ToIndexLine(CargoPackage package) => IndexLines.Create(
        package.Name,
        package.Version,
        package.Dependencies.Where(d => d.Kind != "dev").Select(d => new IndexDependency
        {
            Name = d.Rename ?? d.Name,
            Package = d.Rename is null ? null : d.Name,
            Req = d.Req,
            Features = d.Features,
            Optional = d.Optional,
            DefaultFeatures = d.UsesDefaultFeatures,
            Target = d.Target,
            Kind = d.Kind ?? "normal",
            Registry = d.Registry,
        }),
        package.Features,
        package.Links,
        package.RustVersion,
        publishedAt: null);
}

internal sealed record CargoMetadata([property: JsonPropertyName("packages")] List<CargoPackage> Packages);

internal sealed record CargoPackage(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("dependencies")] List<CargoDependency> Dependencies,
    [property: JsonPropertyName("features")] Dictionary<string, List<string>> Features,
    [property: JsonPropertyName("links")] string? Links,
    [property: JsonPropertyName("rust_version")] string? RustVersion,
    [property: JsonPropertyName("targets")] List<CargoTarget> Targets);

internal sealed record CargoDependency(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("req")] string Req,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("rename")] string? Rename,
    [property: JsonPropertyName("optional")] bool Optional,
    [property: JsonPropertyName("uses_default_features")] bool UsesDefaultFeatures,
    [property: JsonPropertyName("features")] List<string> Features,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("registry")] string? Registry);

internal sealed record CargoTarget(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] List<string> Kind);

[JsonSerializable(typeof(CargoMetadata))]
internal sealed partial class SeedingJsonContext : JsonSerializerContext;
