using BuildsRs.Contracts.Api;
using BuildsRs.Web.Components.Common;
using Bunit;

namespace BuildsRs.Tests.Web;

public sealed class ArtifactCardTests : WebComponentContext
{
    private static readonly ArtifactInfo Artifact = new(
        42, "hexyl-0.8.0-x86_64-unknown-linux-gnu.tar.gz", 420_045, new string('a', 64), "http://internal/builds/x", 7, Now.AddHours(-3),
        "x86-64", "dynamic", "2.31");

    [Fact]
    public void The_download_goes_to_the_public_api_address_with_its_hash_size_and_commands()
    {
        var card = Render<ArtifactCard>(p => p.Add(c => c.Crate, "hexyl").Add(c => c.Version, "0.8.0")
            .Add(c => c.Target, "x86_64-unknown-linux-gnu").Add(c => c.Artifact, Artifact));

        var download = card.Find("a[download]");
        Assert.Equal($"{ApiUrl}/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu", download.GetAttribute("href"));
        Assert.Contains("410.2 KiB", download.TextContent, StringComparison.Ordinal);
        Assert.Equal(new string('a', 64), card.Find(".sha").TextContent);
        Assert.Contains("7 downloads", card.Markup, StringComparison.Ordinal);
        Assert.Contains("3 h ago", card.Markup, StringComparison.Ordinal);
        Assert.Equal("Runs on glibc 2.31 or newer (x86-64, dynamically linked)", card.Find(".runs-on").TextContent);
        var commands = card.FindAll("[data-copy]").Select(b => b.GetAttribute("data-copy")).ToList();
        Assert.Equal([
            $"curl -fL {ApiUrl}/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu | tar xz",
            $"cargo binstall --no-confirm --pkg-fmt tgz --bin-dir '{{ bin }}{{ binary-ext }}' --pkg-url '{ApiUrl}/builds/{{ name }}-{{ version }}/{{ name }}-{{ version }}-{{ target }}.tar.gz' --version 0.8.0 hexyl",
        ], commands);
    }
}
