using System.Text;
using System.Text.Json;
using BuildsRs.Data.Bulk;
using BuildsRs.RegistrySync.Index;

namespace BuildsRs.Tests.Unit;

public sealed class IndexFileParserTests
{
    // Real lines, as the local registry serves them from Debian's crate sources.
    private const string Hexyl = """{"name":"hexyl","vers":"0.8.0","deps":[{"name":"ansi_term","req":"^0.12","features":[],"optional":false,"default_features":true,"kind":"normal"},{"name":"atty","req":"^0.2","features":[],"optional":false,"default_features":true,"kind":"normal"},{"name":"clap","req":"^2","features":["suggestions","color","wrap_help"],"optional":false,"default_features":true,"kind":"normal"},{"name":"libc","req":"^0.2","features":[],"optional":false,"default_features":true,"kind":"normal"}],"cksum":"6a1ba16d19e5b81288b450f118af96947c2ef9988f51caf9d8ac70ed85db862f","features":{},"yanked":false}""";
    private const string Checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_real_line_becomes_a_row()
    {
        var (rows, malformed) = Parse("he/xy/hexyl", Hexyl);

        Assert.Empty(malformed);
        var row = Assert.Single(rows);
        Assert.Equal(new IndexVersionRow("hexyl", "0.8.0", "6a1ba16d19e5b81288b450f118af96947c2ef9988f51caf9d8ac70ed85db862f",
            false, null, null, null, "{}", 4), row);
    }

    [Fact]
    public void Features2_with_dep_and_weak_syntax_joins_the_feature_table()
    {
        var line = Line("serde-x", v: 2, extra: """
            "features":{"default":["std"],"std":[]},
            "features2":{"derive":["dep:serde_derive"],"rc":["serde?/rc"]}
            """);

        var (rows, malformed) = Parse("se/rd/serde-x", line);

        Assert.Empty(malformed);
        var features = JsonSerializer.Deserialize<Dictionary<string, string[]>>(Assert.Single(rows).FeaturesJson)!;
        Assert.Equal(["default", "derive", "rc", "std"], features.Keys.Order());
        Assert.Equal(["dep:serde_derive"], features["derive"]);
        Assert.Equal(["serde?/rc"], features["rc"]);
    }

    [Fact]
    public void Renamed_dependencies_links_yanked_rust_version_and_pubtime_are_read()
    {
        var line = Line("openssl-sys", extra: """
            "deps":[{"name":"ssl","package":"openssl","req":"^0.10","features":[],"optional":true,"default_features":false,"target":"cfg(unix)","kind":"normal","registry":null},
                    {"name":"cc","req":"^1","features":[],"optional":false,"default_features":true,"target":null,"kind":"build"}],
            "links":"openssl","yanked":true,"rust_version":"1.63","pubtime":"2024-05-01T12:34:56Z"
            """);

        var (rows, malformed) = Parse("op/en/openssl-sys", line);
        Assert.Empty(malformed);
        var row = Assert.Single(rows);

        Assert.True(row.Yanked);
        Assert.Equal("openssl", row.Links);
        Assert.Equal("1.63", row.RustVersion);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 34, 56, TimeSpan.Zero), row.PublishedAt);
        Assert.Equal(2, row.DependencyCount);
    }

    [Fact]
    public void The_crate_name_may_differ_in_case_from_its_path()
    {
        var (rows, malformed) = Parse("se/rd/serde_json", Line("Serde_JSON"));

        Assert.Empty(malformed);
        Assert.Equal("Serde_JSON", Assert.Single(rows).CrateName);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"name":"demo","deps":[],"cksum":"CHECKSUM","features":{}}""", "missing field vers")]
    [InlineData("""{"name":"demo","vers":"1.0","deps":[],"cksum":"CHECKSUM","features":{}}""", "not a semantic version")]
    [InlineData("""{"name":"other","vers":"1.0.0","deps":[],"cksum":"CHECKSUM","features":{}}""", "does not belong")]
    [InlineData("""{"name":"demo","vers":"1.0.0","deps":[],"cksum":"CHECKSUM","features":{},"v":3}""", "unknown index format version v=3")]
    [InlineData("""{"name":"demo","vers":"1.0.0","deps":[],"cksum":"ABC","features":{}}""", "cksum")]
    [InlineData("""[1,2,3]""", "not valid JSON")]
    public void A_malformed_line_is_skipped_with_its_file_line_and_reason_and_the_others_still_count(string bad, string reason)
    {
        var content = string.Join('\n', Line("demo", vers: "0.1.0"), bad.Replace("CHECKSUM", Checksum, StringComparison.Ordinal), Line("demo", vers: "0.2.0"));

        var (rows, malformed) = Parse("de/mo/demo", content);

        Assert.Equal(["0.1.0", "0.2.0"], rows.Select(r => r.Version));
        var error = Assert.Single(malformed);
        Assert.Equal(("de/mo/demo", 2), (error.File, error.Line));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_listed_twice_is_kept_once()
    {
        var (rows, malformed) = Parse("de/mo/demo", Line("demo") + "\n" + Line("demo"));

        Assert.Single(rows);
        Assert.Contains("listed twice", Assert.Single(malformed).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_outside_the_index_layout_is_refused_whole()
    {
        var (rows, malformed) = Parse("de/mo/wrong-place", Line("wrong-place"));

        Assert.Empty(rows);
        Assert.Equal(0, Assert.Single(malformed).Line);
    }

    private static string Line(string name, string vers = "1.0.0", int? v = null, string? extra = null)
    {
        var fields = new List<string> { $"\"name\":\"{name}\"", $"\"vers\":\"{vers}\"", $"\"cksum\":\"{Checksum}\"" };
        var extraText = extra?.ReplaceLineEndings(" ") ?? "";
        if (!extraText.Contains("\"deps\"", StringComparison.Ordinal)) fields.Add("\"deps\":[]");
        if (!extraText.Contains("\"features\":{", StringComparison.Ordinal)) fields.Add("\"features\":{}");
        if (v is not null) fields.Add($"\"v\":{v}");
        if (extra is not null) fields.Add(extraText);
        return "{" + string.Join(',', fields) + "}";
    }

    private static (List<IndexVersionRow> Rows, List<MalformedLine> Malformed) Parse(string path, string content)
    {
        var rows = new List<IndexVersionRow>();
        var malformed = new List<MalformedLine>();
        IndexFileParser.Parse(path, Encoding.UTF8.GetBytes(content), rows, malformed);
        return (rows, malformed);
    }
}
