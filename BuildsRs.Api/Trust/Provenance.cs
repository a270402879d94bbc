using System.Globalization;
using System.Text.Json;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Trust;

/// <summary>
/// The provenance of an artifact: what it was built from (the <c>.crate</c> and its checksum from the index, the
/// lockfile, the build image), how (toolchain, settings, target), by which builder, in which job and when, signed by
/// the Api's key in a DSSE envelope. Made from what the database recorded, the same bytes every time it is asked for.
/// </summary>
internal sealed class Provenance(BuildsRsDbContext db, ArtifactSigner signer, IOptions<Jobs.JobAssignmentOptions> downloads)
{
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://slsa.dev/provenance/v1";
    public const string BuildType = "urn:buildsrs:build-type:cargo-install:v1";

    /// <summary>The envelope as one JSON line (<c>.intoto.jsonl</c>), or null when the artifact's build left no record.</summary>
    public async Task<string?> EnvelopeAsync(long artifactId, CancellationToken cancellationToken)
    {
        var build = await db.Artifacts.Where(a => a.Id == artifactId).Select(a => new
        {
            a.FileName, a.Sha256, a.JobId, a.Job.Target, a.Job.BuilderImage, a.Job.Toolchain, a.Job.LockfileSha256, a.Job.StartedAt, a.Job.FinishedAt,
            Builder = a.Job.Builder!.Fingerprint, Crate = a.Job.Version.Crate.Name, a.Job.Version.Version, a.Job.Version.Checksum,
            a.Job.Version.PublishedAt, a.Job.BuildSettings,
        }).SingleOrDefaultAsync(cancellationToken);
        if (build is not { BuilderImage: { } image, Toolchain: { } toolchain, LockfileSha256: { } lockfile, StartedAt: { } started, FinishedAt: { } finished })
        {
            return null;
        }
        var settings = build.BuildSettings is null ? null : JsonSerializer.Deserialize(build.BuildSettings, BuilderJsonContext.Default.BuildSettings);
        var statement = new InTotoStatement(StatementType, [new ResourceDescriptor(build.FileName, Sha256(build.Sha256))], PredicateType,
            new SlsaProvenance(
                new BuildDefinition(BuildType,
                    new ExternalParameters(build.Crate, build.Version, build.Target!, settings?.Features ?? [], settings?.NoDefaultFeatures ?? false, settings?.Bins ?? []),
                    new InternalParameters(toolchain, build.PublishedAt?.ToUnixTimeSeconds() ?? 0),
                    [
                        new ResourceDescriptor($"{build.Crate}-{build.Version}.crate", Sha256(build.Checksum),
                            new RegistryConfig { Dl = downloads.Value.DownloadUrl }.DownloadUrl(build.Crate, build.Version, build.Checksum)),
                        new ResourceDescriptor("Cargo.lock", Sha256(lockfile)),
                        new ResourceDescriptor("build-image", Sha256(image["sha256:".Length..])),
                    ]),
                new RunDetails(new ProvenanceBuilder($"urn:buildsrs:builder:{build.Builder}"),
                    new BuildMetadata($"urn:buildsrs:job:{build.JobId.ToString(CultureInfo.InvariantCulture)}", started, finished))));
        var payload = JsonSerializer.SerializeToUtf8Bytes(statement, ProvenanceJsonContext.Default.InTotoStatement);
        var (keyId, signature) = signer.SignEnvelope(Dsse.InTotoPayloadType, payload);
        return JsonSerializer.Serialize(new DsseEnvelope(Dsse.InTotoPayloadType, Convert.ToBase64String(payload),
            [new DsseSignature(keyId, Convert.ToBase64String(signature))]), ProvenanceJsonContext.Default.DsseEnvelope) + "\n";
    }

    private static Dictionary<string, string> Sha256(string hex) => new() { ["sha256"] = hex };
}
