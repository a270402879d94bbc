using BuildsRs.Api.Downloads;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Trust;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.Api.Apis;

/// <summary>
/// The artifacts themselves, at addresses installers can compute:
/// <c>/builds/{crate}/{version|latest}/{target}</c>, and cargo-quickinstall's layout
/// <c>/builds/{crate}-{version}/{crate}-{version}-{target}.tar.gz</c> (which cargo-binstall takes as a <c>--pkg-url</c>);
/// each with what vouches for it beside it (see <see cref="BuildFile"/>): <c>.sha256</c>, <c>.minisig</c> (also <c>.sig</c>),
/// <c>.intoto.jsonl</c>, and by version and target its <c>.Cargo.lock</c>. Archives and checksums say where the binaries
/// run in headers. <c>HEAD</c> answers from the database alone.
/// </summary>
public static class DownloadsApi
{
    private const string ArchiveSuffix = ".tar.gz";
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        var builds = app.MapGroup("/builds").WithTags("Downloads").RequireRateLimiting(PublicLimits.Downloads);
        builds.MapMethods("/{crate}/{version}/{target}", GetAndHead, ByVersionAsync)
            .WithSummary("The archive of a version's build for a target; version may be 'latest'. Append .sha256 (its checksum), .minisig or .sig (its signature), .intoto.jsonl (its provenance) or .Cargo.lock (the lockfile it was built with).");
        builds.MapMethods("/{release}/{file}", GetAndHead, ByFileNameAsync)
            .WithSummary("The same archives in cargo-quickinstall's layout: /builds/{crate}-{version}/{crate}-{version}-{target}.tar.gz[.sha256|.minisig|.sig|.intoto.jsonl].");
        return app;
    }

    internal static Task<IResult> ByVersionAsync(string crate, string version, string target, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        var (file, rest) = BuildFiles.Of(target);
        return ServeAsync(crate, version, rest, file, http, resolver, locations, counter);
    }

    internal static Task<IResult> ByFileNameAsync(string release, string file, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        var (kind, archive) = BuildFiles.Of(file);
        // Crate names have no dots and versions start with a digit: the version begins after the last '-' before the first '.'.
        var firstDot = release.IndexOf('.', StringComparison.Ordinal);
        var dash = firstDot > 0 ? release.LastIndexOf('-', firstDot) : -1;
        if (dash <= 0 || kind == BuildFile.Lockfile || !archive.EndsWith(ArchiveSuffix, StringComparison.Ordinal) || !archive.StartsWith(release + "-", StringComparison.Ordinal))
        {
            return Task.FromResult<IResult>(ApiProblems.BadRequest(
                $"expected /builds/{{crate}}-{{version}}/{{crate}}-{{version}}-{{target}}{ArchiveSuffix}, not /builds/{ApiProblems.Shown(release)}/{ApiProblems.Shown(file)}"));
        }
        var target = archive[(release.Length + 1)..^ArchiveSuffix.Length];
        return ServeAsync(release[..dash], release[(dash + 1)..], target, kind, http, resolver, locations, counter);
    }

    private static async Task<IResult> ServeAsync(string crate, string version, string target, BuildFile file, HttpContext http,
        BuildResolver resolver, DownloadLocations locations, DownloadCounter counter)
    {
        if (ApiProblems.Invalid(crate, version, target) is { } invalid)
        {
            return invalid;
        }
        var (build, missing) = await resolver.FindAsync(crate, version, target, http.RequestAborted);
        if (build is null)
        {
            return missing!.Gone ? ApiProblems.Gone(missing.Reason) : ApiProblems.NotFound(missing.Reason);
        }
        switch (file)
        {
            case BuildFile.Checksum:
                RunsOnHeaders(http.Response.Headers, build);
                return TypedResults.Text($"{build.Sha256}  {build.FileName}\n", "text/plain; charset=utf-8");
            case BuildFile.Signature:
                return build.Signature is { } signature
                    ? TypedResults.Text(signature, "text/plain; charset=utf-8")
                    : ApiProblems.NotFound($"{build.FileName} was accepted before artifacts were signed");
            case BuildFile.Provenance:
                return await http.RequestServices.GetRequiredService<Provenance>().EnvelopeAsync(build.ArtifactId, http.RequestAborted) is { } envelope
                    ? TypedResults.Text(envelope, "application/jsonl; charset=utf-8")
                    : ApiProblems.NotFound($"{build.FileName} was built before builds recorded their provenance");
            case BuildFile.Lockfile:
                return await LockfileOfAsync(http.RequestServices.GetRequiredService<BuildsRsDbContext>(), build.JobId, http.RequestAborted) is { } lockfile
                    ? TypedResults.Text(lockfile, "text/plain; charset=utf-8")
                    : ApiProblems.NotFound($"{build.FileName} was built before builds recorded their lockfile");
        }
        RunsOnHeaders(http.Response.Headers, build);
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

    private static Task<string?> LockfileOfAsync(BuildsRsDbContext db, long jobId, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.Id == jobId).Join(db.Lockfiles, j => j.LockfileSha256, l => l.Sha256, (_, l) => l.Content).SingleOrDefaultAsync(cancellationToken);

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
