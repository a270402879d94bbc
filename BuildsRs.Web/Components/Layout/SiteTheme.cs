using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace BuildsRs.Web.Components.Layout;

/// <summary>
/// The site's colours. MudBlazor's theme provider writes one palette and needs a live circuit to follow the
/// system's dark mode; pages here are mostly static, so the layout writes the light palette and this adds the dark
/// one behind a <c>prefers-color-scheme</c> media query: the browser picks, with no script and no flash of light.
/// </summary>
public sealed class SiteTheme(IServiceProvider services, ILoggerFactory loggers)
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#b7410e", AppbarBackground = "#2b2d31", Secondary = "#3f6e8c" },
        PaletteDark = new PaletteDark { Primary = "#f0834f", AppbarBackground = "#1f2024", Secondary = "#7fb0d0" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
            Button = new ButtonTypography { TextTransform = "none" },
        },
    };

    private readonly Lazy<Task<string>> darkStyle = new(() => RenderDarkStyleAsync(services, loggers));

    /// <summary>The dark palette as a <c>style</c> element that applies only when the system is dark.</summary>
    public Task<string> DarkStyleAsync() => darkStyle.Value;

    private static async Task<string> RenderDarkStyleAsync(IServiceProvider services, ILoggerFactory loggers)
    {
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<MudThemeProvider>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = Theme,
                [nameof(MudThemeProvider.IsDarkMode)] = true,
            }));
            return output.ToHtmlString();
        });
        return html.Replace("<style", "<style media=\"(prefers-color-scheme: dark)\"", StringComparison.Ordinal);
    }
}
