using BuildsRs.Web.Extensions;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace BuildsRs.Tests.Web;

/// <summary>A bUnit context with what the website's components need: MudBlazor, the site's options and a fixed clock.</summary>
public abstract class WebComponentContext : BunitContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    public const string ApiUrl = "https://api.example.test";

    protected WebComponentContext()
    {
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        Services.AddSingleton(Options.Create(new SiteOptions { ApiUrl = new Uri(ApiUrl + "/") }));
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services only dispose asynchronously.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
