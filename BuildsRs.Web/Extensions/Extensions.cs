using BuildsRs.Web.Api;
using BuildsRs.Web.Components.Layout;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Http.Resilience;
using MudBlazor.Services;

namespace BuildsRs.Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Visitor>();
        builder.Services.AddScoped<CircuitHandler, Visitor.CircuitOpening>();
        builder.Services.AddHttpClient<ApiClient>(client => client.BaseAddress = new Uri("http://api"));
        // A log stream lasts as long as its build: no request timeout and no retry
        // (the build page reconnects and resumes after the last chunk it shows).
#pragma warning disable EXTEXP0001 // the supported way to take a client out of the defaults' resilience pipeline
        builder.Services.AddHttpClient<LogStreamClient>(client =>
        {
            client.BaseAddress = new Uri("http://api");
            client.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // A page waits for the Api: one quick retry, then the page says the Api is unavailable instead of hanging.
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
