using System.Net;
using System.Text.RegularExpressions;
using BuildsRs.Tests.Fixtures;
using BuildsRs.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BuildsRs.Tests.Integration;

/// <summary>The real website with its Api gone: pages say so plainly instead of failing.</summary>
public sealed class WebsiteWithoutApiTests : IClassFixture<WebsiteWithoutApiTests.WebsiteWithoutApi>
{
    private readonly HttpClient client;

    public WebsiteWithoutApiTests(WebsiteWithoutApi website) => client = website.CreateClient();

    [Theory]
    [InlineData("/")]
    [InlineData("/crates/hexyl")]
    [InlineData("/crates/hexyl/0.8.0")]
    [InlineData("/jobs/42")]
    [InlineData("/queue")]
    [InlineData("/statistics")]
    public async Task A_page_that_needs_the_api_says_the_service_is_unavailable(string path)
    {
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("The build service is unavailable", page, StringComparison.Ordinal);
        Assert.Contains("Request id:", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_without_api_data_still_answer_in_both_colour_schemes()
    {
        using var response = await client.GetAsync("/about");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("[package.metadata.buildsrs]", page, StringComparison.Ordinal);
        // The light palette applies by default; the dark one only when the system is dark.
        var themes = Regex.Matches(page, "<style([^>]*)class='mud-theme-provider'>").Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.Equal(["", "media=\"(prefers-color-scheme: dark)\""], themes);
        Assert.Contains("--mud-palette-primary: rgba(240,131,79,1);", page, StringComparison.Ordinal);
    }

    public sealed class WebsiteWithoutApi : WebApplicationFactory<ApiClient>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // A port nothing listens on: the Api is down.
            var closed = FreePorts.Next();
            builder.UseSetting("services:api:http:0", $"http://127.0.0.1:{closed}");
            builder.UseSetting("Site:ApiUrl", "https://api.example.test/");
        }
    }
}
