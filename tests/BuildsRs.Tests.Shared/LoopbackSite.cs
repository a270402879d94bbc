using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuildsRs.Tests.Fixtures;

/// <summary>A web app of the test's own on a free loopback port: a stand-in for a host outside the system (a mirror
/// an attacker runs, a registry's CDN on a bad day, a telemetry collector).</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackSite(WebApplication app, Uri url) => (this.app, Url) = (app, url);

    /// <summary>Where it answers, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts a site whose endpoints <paramref name="map"/> adds.</summary>
    public static async Task<LoopbackSite> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new LoopbackSite(app, new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
