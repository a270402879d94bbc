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
        Assert.Equal("Not built again by a second builder yet.", card.Find(".verification").TextContent);
    }

    [Fact]
    public void A_signed_reproduced_artifact_links_what_vouches_for_it_and_shows_how_to_check_it()
    {
        var signed = Artifact with
        {
            SignatureUrl = "http://internal/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.minisig",
            ProvenanceUrl = "http://internal/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.intoto.jsonl",
            LockfileUrl = "http://internal/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.Cargo.lock",
            Verification = VerificationState.Reproduced, ReproducedBy = ["builder-2"], VerifiedAt = Now.AddHours(-1),
        };

        var card = Render<ArtifactCard>(p => p.Add(c => c.Crate, "hexyl").Add(c => c.Version, "0.8.0")
            .Add(c => c.Target, "x86_64-unknown-linux-gnu").Add(c => c.Artifact, signed).Add(c => c.PublicKey, "RWSkey"));

        Assert.Equal([$"{ApiUrl}/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.minisig", $"{ApiUrl}/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.intoto.jsonl",
            $"{ApiUrl}/builds/hexyl/0.8.0/x86_64-unknown-linux-gnu.Cargo.lock"], card.FindAll(".vouchers a").Select(a => a.GetAttribute("href")));
        Assert.StartsWith("Reproduced: builder-2 built it again from the same inputs and got the same bytes", card.Find(".verification").TextContent,
            StringComparison.Ordinal);
        Assert.Contains(card.FindAll("[data-copy]"), b => b.GetAttribute("data-copy")!.EndsWith(
            "minisign -Vm x86_64-unknown-linux-gnu -x x86_64-unknown-linux-gnu.minisig -P RWSkey", StringComparison.Ordinal));
    }

    [Fact]
    public void An_artifact_that_another_builder_could_not_reproduce_says_what_differed()
    {
        var card = Render<ArtifactCard>(p => p.Add(c => c.Crate, "hexyl").Add(c => c.Version, "0.8.0").Add(c => c.Target, "x86_64-unknown-linux-gnu")
            .Add(c => c.Artifact, Artifact with { Verification = VerificationState.Differs, Differences = ["hexyl"] }));

        Assert.Equal("Not reproduced: built again by another builder, it differs (hexyl).", card.Find(".verification").TextContent);
        Assert.Equal("differs", card.Find(".verification").GetAttribute("data-verification"));
    }
}
