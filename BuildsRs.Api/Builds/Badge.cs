using System.Globalization;
using System.Security;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;

namespace BuildsRs.Api.Builds;

/// <summary>A flat two-part badge (label | state), in the style README badges share.</summary>
internal static class Badge
{
    private const string Label = "builds.rs";

    /// <summary>The badge of a crate whose latest version is in <paramref name="latest"/>; null when every version
    /// is yanked.</summary>
    public static string Svg(VersionState? latest)
    {
        var state = latest is { } known ? EnumText.Of(known) : "yanked";
        var color = latest switch
        {
            VersionState.Succeeded => "#4c1",
            VersionState.Failed => "#e05d44",
            VersionState.Queued or VersionState.Running or VersionState.Pending => "#007ec6",
            _ => "#9f9f9f",
        };
        var (left, right) = (Width(Label), Width(state));
        var total = left + right;
        string Text(double x, string text) => FormattableString.Invariant(
            $"""<text x="{x}" y="15" fill="#010101" fill-opacity=".3">{text}</text><text x="{x}" y="14">{text}</text>""");
        return FormattableString.Invariant($"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{Label}: {SecurityElement.Escape(state)}">
            <title>{Label}: {SecurityElement.Escape(state)}</title>
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
            <clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>
            <g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{color}"/><rect width="{total}" height="20" fill="url(#s)"/></g>
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">{Text(left / 2.0, Label)}{Text(left + right / 2.0, SecurityElement.Escape(state))}</g>
            </svg>
            """);
    }

    /// <summary>Verdana at 11 px averages about 7 px a character; 10 px of padding each side.</summary>
    private static int Width(string text) => (int)Math.Ceiling(text.Length * 7.0) + 20;
}
