using BuildsRs.Web.Api;
using Microsoft.Extensions.Http.Resilience;
using BuildsRs.Web.Components.Layout;
using MudBlazor.Services;

namespace BuildsRs.Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient<ApiClient>(client => client.BaseAddress = new Uri("http://api"));
        // A page waits for the Api (the website's only client): one quick retry, then the page says the Api is
        // unavailable instead of hanging.
        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(resilience =>
        {
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
            resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(25);
        });
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<SiteTheme>();
        builder.Services.AddSingleton(TimeProvider.System);
    }
}
