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
        // State colours at WCAG AA contrast (4.5:1): dark ones under white text in the light scheme, light ones under
        // black text (and as text on the dark background) in the dark scheme.
        PaletteLight = new PaletteLight
        {
            Primary = "#b7410e", Secondary = "#3f6e8c", AppbarBackground = "#2b2d31",
            Success = "#2e7d32", Error = "#c62828", Warning = "#a05a00", Info = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#f0834f", PrimaryContrastText = "#000000", Secondary = "#7fb0d0", SecondaryContrastText = "#000000", AppbarBackground = "#1f2024",
            Success = "#81c784", SuccessContrastText = "#000000", Error = "#ef9a9a", ErrorContrastText = "#000000",
            Warning = "#ffb74d", WarningContrastText = "#000000", Info = "#64b5f6", InfoContrastText = "#000000",
            TextSecondary = "rgba(255,255,255,0.72)",
        },
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
