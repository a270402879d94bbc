using BuildsRs.LocalRegistry.Apis;
using BuildsRs.LocalRegistry.Storage;
using Microsoft.Extensions.FileProviders;

namespace BuildsRs.LocalRegistry;

/// <summary>
/// A stand-in for crates.io built from real crate sources: the sparse index, the git index (served to git clients
/// over HTTP), <c>.crate</c> downloads, and cargo's publish and yank API.
/// </summary>
public static class LocalRegistryApp
{
    public static async Task<WebApplication> CreateAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.Services.AddProblemDetails();
        builder.Services.AddOptions<LocalRegistryOptions>().BindConfiguration(LocalRegistryOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RegistryStore>();

        var app = builder.Build();
        var store = app.Services.GetRequiredService<RegistryStore>();
        await store.InitializeAsync(app.Lifetime.ApplicationStopping);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        // The git index over git's "dumb" HTTP protocol: plain files, kept current by `git update-server-info`.
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(store.GitDirectory),
            RequestPath = "/git/index",
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        });
        app.MapIndexApi();
        app.MapDownloadApi();
        app.MapPublishApi();
        return app;
    }
}
