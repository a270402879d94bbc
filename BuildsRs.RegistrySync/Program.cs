using BuildsRs.RegistrySync.Apis;
using BuildsRs.RegistrySync.Extensions;

// A missing or wrong setting ends the service with one line naming it (see ServiceHost).
return await ServiceHost.RunAsync(() =>
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddServiceDefaults();
    builder.AddApplicationServices();

    var app = builder.Build();

    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapDefaultEndpoints();
    app.MapRegistryApi();

    return app;
});
