using BuildsRs.Contracts;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Tags each reused public response with the crate it is about (the route's <c>crate</c>, or the name in a
/// <c>{crate}.svg</c> / <c>{crate}.atom</c> file), or as a listing (search, overview, statistics, the builds feed)
/// that any crate's change can alter, so that <see cref="CrateChangeListener"/> can evict exactly those; and gives it
/// the lifetime of its kind (<see cref="PublicCaching.LifetimeOf"/>).
/// </summary>
internal sealed class CrateAnswerTags(IOptions<PublicCaching> caching) : IOutputCachePolicy
{
    public const string Everything = "public";
    public const string Listings = "listings";

    public static string Of(string normalizedCrate) => "crate:" + normalizedCrate;

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var route = context.HttpContext.Request.RouteValues;
        var crate = route["crate"] as string ?? (route["file"] is string file ? Path.GetFileNameWithoutExtension(file) : null);
        context.Tags.Add(Everything);
        context.Tags.Add(crate is null ? Listings : Of(CrateName.Normalize(crate)));
        // A version page shows download counts, which change without a crate's change (a flush of counts evicting
        // answers would cost the most downloaded crates their reuse): it lives as long as a listing.
        context.ResponseExpirationTimeSpan = caching.Value.LifetimeOf(route.ContainsKey("version") ? null : crate);
        context.EnableOutputCaching = context.ResponseExpirationTimeSpan > TimeSpan.Zero;
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;
}
