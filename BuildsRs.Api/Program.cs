using BuildsRs.Api.Apis;
using BuildsRs.Api.Extensions;
using Microsoft.AspNetCore.HttpOverrides;

// A missing or wrong setting ends the service with one line naming it (see ServiceHost).
return await ServiceHost.RunAsync(() =>
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddServiceDefaults();
    builder.AddApplicationServices();

    var app = builder.Build();

    app.UseExceptionHandler();
    app.UseStatusCodePages();
    // Who a limit counts against: the website (and any proxy on this machine) forwards its visitor's address.
    app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.UseOutputCache();
    app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
    app.MapDefaultEndpoints();
    app.MapOpenApi();
    app.MapCratesApi();
    app.MapJobsApi();
    app.MapQueueApi();
    app.MapFleetApi();
    app.MapStatisticsApi();
    app.MapOverviewApi();
    app.MapDownloadsApi();
    app.MapTrustApi();
    app.MapInstallScriptApi();
    app.MapBadgesApi();
    app.MapFeedsApi();
    app.MapAdminApi();
    app.MapBuildersApi();
    app.MapArtifactUploadApi();

    return app;
});
