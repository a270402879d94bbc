using BuildsRs.Api.Downloads;
using BuildsRs.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.Api.Apis;

/// <summary>
/// The artifacts themselves, at addresses installers can compute:
/// <c>/builds/{crate}/{version|latest}/{target}</c>, and cargo-quickinstall's layout
/// <c>/builds/{crate}-{version}/{crate}-{version}-{target}.tar.gz</c> (which cargo-binstall takes as a <c>--pkg-url</c>);
/// each with a <c>.sha256</c> beside it in <c>sha256sum</c>'s format; both say where the binaries run in headers.
/// <c>HEAD</c> answers from the database alone.
/// </summary>
public static class DownloadsApi
{
    private const string Sha256Suffix = ".sha256";
    private const string ArchiveSuffix = ".tar.gz";
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        var builds = app.MapGroup("/builds").WithTags("Downloads");
        builds.MapMethods("/{crate}/{version}/{target}", GetAndHead, ByVersionAsync)
            .WithSummary("The archive of a version's build for a target (append .sha256 for its checksum); version may be 'latest'.");
        builds.MapMethods("/{release}/{file}", GetAndHead, ByFileNameAsync)
            .WithSummary("The same archives in cargo-quickinstall's layout: /builds/{crate}-{version}/{crate}-{version}-{target}.tar.gz[.sha256].");
        return app;
    }

    internal static Task<IResult> ByVersionAsync(string crate, string version, string target, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        var checksum = target.EndsWith(Sha256Suffix, StringComparison.Ordinal);
        return ServeAsync(crate, version, checksum ? target[..^Sha256Suffix.Length] : target, checksum, http, resolver, locations, counter);
    }

    internal static Task<IResult> ByFileNameAsync(string release, string file, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        var checksum = file.EndsWith(Sha256Suffix, StringComparison.Ordinal);
        var archive = checksum ? file[..^Sha256Suffix.Length] : file;
        // Crate names have no dots and versions start with a digit: the version begins after the last '-' before the first '.'.
        var firstDot = release.IndexOf('.', StringComparison.Ordinal);
        var dash = firstDot > 0 ? release.LastIndexOf('-', firstDot) : -1;
        if (dash <= 0 || !archive.EndsWith(ArchiveSuffix, StringComparison.Ordinal) || !archive.StartsWith(release + "-", StringComparison.Ordinal))
        {
            return Task.FromResult<IResult>(ApiProblems.BadRequest(
                $"expected /builds/{{crate}}-{{version}}/{{crate}}-{{version}}-{{target}}{ArchiveSuffix}, not /builds/{ApiProblems.Shown(release)}/{ApiProblems.Shown(file)}"));
        }
        var target = archive[(release.Length + 1)..^ArchiveSuffix.Length];
        return ServeAsync(release[..dash], release[(dash + 1)..], target, checksum, http, resolver, locations, counter);
    }

    private static async Task<IResult> ServeAsync(string crate, string version, string target, bool checksum, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        if (ApiProblems.Invalid(crate, version, target) is { } invalid)
        {
            return invalid;
        }
        var (build, missing) = await resolver.FindAsync(crate, version, target, http.RequestAborted);
        if (build is null)
        {
            return ApiProblems.NotFound(missing!);
        }
        RunsOnHeaders(http.Response.Headers, build);
        if (checksum)
        {
            return TypedResults.Text($"{build.Sha256}  {build.FileName}\n", "text/plain; charset=utf-8");
        }
        http.Response.Headers["X-Artifact-Sha256"] = build.Sha256;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{build.FileName}\"";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentLength = build.Size;
            http.Response.ContentType = "application/gzip";
            return TypedResults.Empty;
        }
        counter.Record(build.ArtifactId);
        ApiTelemetry.Downloaded(target);
        var location = await locations.LocateAsync(build);
        return location.Redirect is { } url
            ? TypedResults.Redirect(url.ToString())
            : TypedResults.PhysicalFile(location.File!, "application/gzip", build.FileName, enableRangeProcessing: true);
    }

    /// <summary>Where the archive runs, on the archive and on its checksum, so that an installer can refuse before it
    /// downloads: <c>X-Artifact-Glibc: 2.31</c> means glibc 2.31 or newer.</summary>
    private static void RunsOnHeaders(IHeaderDictionary headers, StoredBuild build)
    {
        if (build.Machine is { } machine)
        {
            headers["X-Artifact-Machine"] = machine;
        }
        if (build.Linkage is { } linkage)
        {
            headers["X-Artifact-Linkage"] = linkage;
        }
        if (build.GlibcFloor is { } glibc)
        {
            headers["X-Artifact-Glibc"] = glibc;
        }
    }
}
