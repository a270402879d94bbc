using BuildsRs.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BuildsRs.Api.Apis;

/// <summary>RFC 7807 answers for bad input, and the checks every route applies to names, versions and targets.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Gone(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status410Gone);

    /// <summary>Why a version the registry's index stopped listing is no longer served.</summary>
    public static string Removed(string crate, string version, DateTimeOffset at) =>
        $"{crate} {version} was removed from the registry's index on {at:yyyy-MM-dd}: it is no longer served";

    /// <summary>A problem when the crate name (and the version, if given) cannot exist; null when they may.</summary>
    public static ProblemHttpResult? Invalid(string crate, string? version = null, string? target = null) =>
        !CrateName.IsValid(crate) ? BadRequest($"'{Shown(crate)}' is not a crate name (ASCII letters, digits, - and _, at most {CrateName.MaxLength})")
        : version is not null && version != "latest" && !VersionNumber.IsValid(version) ? BadRequest($"'{Shown(version)}' is not a semantic version")
        : target is not null && !TargetTriple.IsValid(target) ? BadRequest($"'{Shown(target)}' is not a target triple")
        : null;

    /// <summary>User input echoed back in an error, cut short.</summary>
    public static string Shown(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
