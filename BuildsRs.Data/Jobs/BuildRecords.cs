using System.Text.Json;
using System.Text.RegularExpressions;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Data.Jobs;

/// <summary>What a builder may say about a build it made (shown in provenance as given, so held to a strict form), and
/// how a rebuild compares with the artifact it checks.</summary>
internal static partial class BuildRecords
{
    public const int MaxLockfileCharacters = 512 * 1024;
    private const string PackingOnly = "(archive)";

    /// <summary>Null when <paramref name="build"/> is well-formed, else why not.</summary>
    public static string? Invalid(BuildRecord build) =>
        !ImageId.IsValid(build.Image) ? "malformed build record: image is a Docker image ID (sha256:...)"
        : build.Toolchain is not { Length: > 0 and <= 200 } || build.Toolchain.Any(char.IsControl) ? "malformed build record: toolchain"
        : build.Lockfile is not { Length: > 0 and <= MaxLockfileCharacters } ? $"malformed build record: a lockfile of 1 to {MaxLockfileCharacters} characters"
        : !Sha256Pattern().IsMatch(build.ArchiveSha256 ?? "") ? "malformed build record: archive_sha256"
        : build.Binaries is not { Count: > 0 and <= 1000 } || build.Binaries.Any(b => !NamePattern().IsMatch(b.Key) || !Sha256Pattern().IsMatch(b.Value ?? ""))
            ? "malformed build record: binaries are names with their SHA-256"
        : null;

    public static string BinariesJson(BuildRecord build) =>
        JsonSerializer.Serialize(build.Binaries.ToDictionary(), DataJsonContext.Default.DictionaryStringString);

    /// <summary>Whether a rebuild gave the artifact's bytes, and if not, which files differ.</summary>
    public static (bool Reproduced, string[] Differences) Compare(string archiveSha256, string? binariesJson, BuildRecord rebuild)
    {
        if (rebuild.ArchiveSha256 == archiveSha256)
        {
            return (true, []);
        }
        var original = binariesJson is null ? [] : JsonSerializer.Deserialize(binariesJson, DataJsonContext.Default.DictionaryStringString) ?? [];
        string[] differing = [.. original.Keys.Union(rebuild.Binaries.Keys).Order(StringComparer.Ordinal)
            .Where(name => original.GetValueOrDefault(name) != rebuild.Binaries.GetValueOrDefault(name))];
        return (false, differing.Length > 0 ? differing : [PackingOnly]);
    }

    /// <summary>A rebuild that did not get through is no reproduction: it says how it ended.</summary>
    public static string[] Failed(JobOutcome outcome, string? error) =>
        [$"the rebuild ended as {Contracts.EnumText.Of(outcome)}{(string.IsNullOrWhiteSpace(error) ? "" : ": " + error.Split('\n', 2)[0])}"];

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[A-Za-z0-9_.+-]{1,255}$")]
    private static partial Regex NamePattern();
}
