using System.Diagnostics;
using System.Globalization;
using System.Net;
using BuildsRs.Tests.Fixtures;

namespace BuildsRs.Tests.Integration;

/// <summary>The local registry serves what crates.io serves, to real cargo and git, and refuses bad publishes.</summary>
public sealed class LocalRegistryTests : IAsyncLifetime
{
    private LocalRegistryFixture registry = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        registry = await LocalRegistryFixture.StartAsync();
        // curl reads a refusal that arrives while it sends; HttpClient fails on the closed connection instead. Waiting
        // for the registry's answer to Expect: 100-continue (however busy the machine) keeps the refusal readable.
        http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = registry.Url };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await registry.DisposeAsync();
    }

    [Fact]
    public async Task Cargo_installs_a_real_crate_from_it_in_place_of_crates_io()
    {
        var root = Path.Combine(registry.CargoHome, "installed");

        await registry.CargoAsync(registry.CargoHome, "install", "rustdoc-stripper", "--root", root);

        var binary = Path.Combine(root, "bin", "rustdoc-stripper");
        using var run = Process.Start(new ProcessStartInfo(binary, "--help") { RedirectStandardOutput = true })!;
        var help = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.Contains("rustdoc-stripper", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sparse_index_answers_with_etags_304_and_404()
    {
        var config = await http.GetStringAsync(new Uri("index/config.json", UriKind.Relative));
        using var first = await http.GetAsync(new Uri("index/he/xy/hexyl", UriKind.Relative));
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "index/he/xy/hexyl");
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await http.SendAsync(conditional);
        using var unknown = await http.GetAsync(new Uri("index/no/su/no-such-crate", UriKind.Relative));

        Assert.Contains($"\"dl\":\"{registry.Url}api/v1/crates/{{crate}}/{{version}}/download\"", config, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith("{\"name\":\"hexyl\"", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_git_index_clones_over_http_with_one_commit_per_change()
    {
        var before = int.Parse(await registry.GitAsync("rev-list", "--count", "HEAD"), CultureInfo.InvariantCulture);
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        var clone = Path.Combine(registry.CargoHome, "clone");

        await GitCloneAsync(registry.GitIndexUrl, clone);

        Assert.True(File.Exists(Path.Combine(clone, "bu", "il", "buildsrs-demo")));
        Assert.True(File.Exists(Path.Combine(clone, "config.json")));
        var after = int.Parse(await registry.GitAsync("rev-list", "--count", "HEAD"), CultureInfo.InvariantCulture);
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task Publishing_with_a_wrong_token_is_refused_and_stores_nothing()
    {
        using var request = PublishRequest("""{"name":"sneaky","vers":"1.0.0","deps":[],"features":{}}""", [0x1f, 0x8b], token: "wrong-token");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("valid registry token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNotInIndexAsync("index/3/s/sneaky");
    }

    [Theory]
    [InlineData("truncated", HttpStatusCode.BadRequest, "not a cargo publish request")]
    [InlineData("bad-json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("bad-name", HttpStatusCode.BadRequest, "valid crate name")]
    [InlineData("oversized", HttpStatusCode.RequestEntityTooLarge, "larger than")]
    public async Task Malformed_publishes_get_a_clear_error_and_the_index_is_unchanged(string kind, HttpStatusCode status, string message)
    {
        var head = await registry.GitAsync("rev-parse", "HEAD");
        using var request = kind switch
        {
            "truncated" => new HttpRequestMessage(HttpMethod.Put, "api/v1/crates/new") { Content = new ByteArrayContent([1, 2, 3]) },
            "bad-json" => PublishRequest("{nope", [1]),
            "bad-name" => PublishRequest("""{"name":"../etc","vers":"1.0.0","deps":[],"features":{}}""", [1]),
            _ => PublishRequest("""{"name":"huge","vers":"1.0.0","deps":[],"features":{}}""", new byte[11 * 1024 * 1024]),
        };
        if (kind == "truncated")
        {
            request.Headers.TryAddWithoutValidation("Authorization", LocalRegistryFixture.Token);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(head, await registry.GitAsync("rev-parse", "HEAD"));
    }

    [Fact]
    public async Task Publishing_a_version_twice_is_refused_and_the_first_stays()
    {
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        var line = await http.GetStringAsync(new Uri("index/bu/il/buildsrs-demo", UriKind.Relative));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.PublishAsync("buildsrs-demo", "0.1.0"));

        Assert.Contains("already", error.Message, StringComparison.Ordinal);
        Assert.Equal(line, await http.GetStringAsync(new Uri("index/bu/il/buildsrs-demo", UriKind.Relative)));
    }

    private async Task AssertNotInIndexAsync(string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static HttpRequestMessage PublishRequest(string json, byte[] crate, string token = LocalRegistryFixture.Token) =>
        HandMadeCrates.PublishRequest(json, crate, token);

    private static async Task GitCloneAsync(string url, string directory)
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["clone", "--quiet", url, directory])
        {
            RedirectStandardError = true,
        })!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, error);
    }
}
