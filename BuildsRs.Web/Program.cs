using BuildsRs.Web.Components;
using BuildsRs.Web.Extensions;

// A missing or wrong setting ends the service with one line naming it (see ServiceHost).
return await ServiceHost.RunAsync(() =>
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddServiceDefaults();
    builder.AddApplicationServices();

    var app = builder.Build();

    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseStatusCodePagesWithReExecute("/not-found");
    app.UseAntiforgery();
    app.MapStaticAssets();
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    app.MapDefaultEndpoints();

    return app;
});
