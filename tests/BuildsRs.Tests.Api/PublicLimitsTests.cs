using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BuildsRs.Tests.ApiTests;

/// <summary>
/// The real Api (its whole pipeline on Kestrel, over real Postgres) with small limits: a client over a limit gets 429 with
/// Retry-After as problem details, other clients go on, and the limit recovers. Clients are told apart by the address
/// a trusted proxy on this machine forwards, as the website and the deployment's proxy do.
/// </summary>
public sealed class PublicLimitsTests(PublicLimitsTests.LimitedApi api) : IClassFixture<PublicLimitsTests.LimitedApi>
{
    [Fact]
    public async Task A_client_over_its_search_limit_gets_429_with_retry_after_others_are_served_and_it_recovers()
    {
        using var http = api.CreateClient();

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add((await SearchAsync(http, "203.0.113.1")).StatusCode);
        }
        using var refused = await SearchAsync(http, "203.0.113.1");
        using var someoneElse = await SearchAsync(http, "203.0.113.2");
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        await Task.Delay(retryAfter ?? TimeSpan.Zero);
        using var later = await SearchAsync(http, "203.0.113.1");

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains("too many search requests from 203.0.113.1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, someoneElse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task A_client_gets_as_many_live_log_streams_as_it_may_and_one_more_once_it_closes_one()
    {
        var job = await RunningJobs.InsertAsync(api.ConnectionString);
        using var http = api.CreateClient();

        var first = await StreamAsync(http, job, "198.51.100.1");
        using var second = await StreamAsync(http, job, "198.51.100.1");
        using var third = await StreamAsync(http, job, "198.51.100.1");
        using var otherClient = await StreamAsync(http, job, "198.51.100.2");
        var firstStatus = first.StatusCode;
        first.Dispose();
        HttpResponseMessage? reopened = null;
        for (var attempt = 0; attempt < 300 && reopened?.StatusCode != HttpStatusCode.OK; attempt++)
        {
            reopened?.Dispose();
            await Task.Delay(100);
            reopened = await StreamAsync(http, job, "198.51.100.1");
        }

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (firstStatus, second.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
        Assert.Contains("live log streams", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reopened!.StatusCode);
        reopened.Dispose();
    }

    [Theory]
    [InlineData("/api/v1/crates/", PublicLimits.Search)]
    [InlineData("/api/v1/crates/{crate}", PublicLimits.Listings)]
    [InlineData("/api/v1/overview", PublicLimits.Listings)]
    [InlineData("/api/v1/statistics", PublicLimits.Listings)]
    [InlineData("/api/v1/builders", PublicLimits.Listings)]
    [InlineData("/feeds/builds.atom", PublicLimits.Listings)]
    [InlineData("/feeds/crates/{file}", PublicLimits.Listings)]
    [InlineData("/api/v1/queue", PublicLimits.Queue)]
    [InlineData("/api/v1/jobs/{jobId:long}/log", PublicLimits.Logs)]
    [InlineData("/api/v1/jobs/{jobId:long}/log/stream", PublicLimits.Logs)]
    [InlineData("/builds/{crate}/{version}/{target}", PublicLimits.Downloads)]
    [InlineData("/builds/{release}/{file}", PublicLimits.Downloads)]
    public void Each_expensive_public_endpoint_counts_against_its_limit(string route, string policy)
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => ("/" + e.RoutePattern.RawText?.TrimStart('/')).Equals(route, StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.Equal(policy, e.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName));
    }

    private static async Task<HttpResponseMessage> SearchAsync(HttpClient http, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/crates?q=demo-{Guid.NewGuid():N}");
        request.Headers.Add("X-Forwarded-For", client);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> StreamAsync(HttpClient http, long job, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{job}/log/stream");
        request.Headers.Add("X-Forwarded-For", client);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public sealed class LimitedApi : WebApplicationFactory<Program>, IAsyncLifetime
    {
        private readonly PostgresServerFixture postgres = new();
        private readonly string artifacts = Path.Combine(Path.GetTempPath(), "buildsrs-limits-" + Guid.NewGuid().ToString("N"));

        public string ConnectionString { get; private set; } = "";

        public async Task InitializeAsync()
        {
            await postgres.InitializeAsync();
            ConnectionString = await postgres.CreateDatabaseAsync();
            // On a real socket: the Api sees each request come from loopback, as the website's do.
            UseKestrel(0);
            // The host starts here, so that its migrations run before a test writes rows.
            StartServer();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:buildsrs", ConnectionString);
            builder.UseSetting("ConnectionStrings:artifacts", $"Directory={artifacts}");
            builder.UseSetting("Admin:Token", Guid.NewGuid().ToString("N"));
            builder.UseSetting("Signing:SecretKey", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
            builder.UseSetting("RateLimits:Searches:Burst", "3");
            // A token every 10 s: the four requests fall within one refill even on a busy machine.
            builder.UseSetting("RateLimits:Searches:PerMinute", "6");
            builder.UseSetting("LiveLogs:PerClient", "2");
        }

        async Task IAsyncLifetime.DisposeAsync()
        {
            await DisposeAsync();
            await postgres.DisposeAsync();
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}
