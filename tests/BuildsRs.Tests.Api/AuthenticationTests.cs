using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.ApiTests.Fixtures;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>
/// Every protected endpoint, asked without a token, with a wrong one and with a token of another kind: 401 (with
/// <c>WWW-Authenticate</c>) or 403, as problem details, and nothing changed.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class AuthenticationTests(ApiFixture fixture)
{
    private const string WrongToken = "not-a-token-of-this-system";

    /// <summary>The operator's endpoints: a real crate, version, builder and job in the paths, so that only the token decides.</summary>
    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "POST", "/api/v1/admin/builders" },
        { "GET", "/api/v1/admin/hosts" },
        { "POST", "/api/v1/admin/hosts" },
        { "POST", "/api/v1/admin/hosts/builder-2/disable" },
        { "POST", "/api/v1/admin/hosts/builder-2/enable" },
        { "POST", "/api/v1/admin/builders/{fingerprint}/disable" },
        { "POST", "/api/v1/admin/builders/{fingerprint}/enable" },
        { "PUT", "/api/v1/admin/targets/x86_64-unknown-linux-gnu" },
        { "POST", "/api/v1/admin/crates/xml-rs/rebuild" },
        { "POST", "/api/v1/admin/crates/xml-rs/{version}/rebuild" },
        { "POST", "/api/v1/admin/crates/xml-rs/{version}/verify" },
        { "POST", "/api/v1/admin/crates/xml-rs/cancel" },
        { "POST", "/api/v1/admin/jobs/{job}/cancel" },
        { "POST", "/api/v1/admin/queue/lock" },
        { "POST", "/api/v1/admin/queue/unlock" },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Admin_endpoints_need_the_admin_token(string method, string path)
    {
        using var http = fixture.CreateClient();
        path = await FillAsync(path);
        var before = await StateAsync();

        await AssertRefusedAsync(http, method, path, null, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, method, path, WrongToken, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, method, path, fixture.Secret("builder-1.enrollment.token"), HttpStatusCode.Forbidden);

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Enrollment_needs_the_enrollment_token()
    {
        using var http = fixture.CreateClient();

        await AssertRefusedAsync(http, "POST", "/api/v1/builders/enroll", null, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, "POST", "/api/v1/builders/enroll", WrongToken, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, "POST", "/api/v1/builders/enroll", fixture.Secret("admin.token"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Uploads_need_the_running_jobs_upload_token()
    {
        using var http = fixture.CreateClient();
        var path = await FillAsync("/api/v1/jobs/{job}/artifacts/xml-rs.tar.gz");
        await using var db = await fixture.CreateDbContextAsync();
        var artifacts = await db.Artifacts.CountAsync();

        await AssertRefusedAsync(http, "PUT", path, null, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, "PUT", path, WrongToken, HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(http, "PUT", path, fixture.Secret("admin.token"), HttpStatusCode.Forbidden);
        await AssertRefusedAsync(http, "PUT", path, fixture.Secret("builder-1.enrollment.token"), HttpStatusCode.Forbidden);

        Assert.Equal(artifacts, await db.Artifacts.CountAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_each_token_and_where_it_is_needed()
    {
        using var http = fixture.CreateClient();
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal(["enroller", "operator", "uploader"], schemes.Select(s => s.Key).Order());
        Assert.All(schemes, s => Assert.Equal("bearer", (string?)s.Value!["scheme"]));
        Assert.Equal("operator", SecurityOf(document, "/api/v1/admin/queue/lock", "post"));
        Assert.Equal("enroller", SecurityOf(document, "/api/v1/builders/enroll", "post"));
        Assert.Equal("uploader", SecurityOf(document, "/api/v1/jobs/{jobId}/artifacts/{file}", "put"));
        Assert.Null(document["paths"]!["/api/v1/crates/{crate}"]!["get"]!["security"]);
    }

    private static string? SecurityOf(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["security"]?.AsArray().Single()!.AsObject().Single().Key;

    private static async Task AssertRefusedAsync(HttpClient http, string method, string path, string? token, HttpStatusCode expected)
    {
        using var response = await SendAsync(http, method, path, token);
        await Refusals.AssertAsync(response, expected, $"{method} {path} with {(token is null ? "no token" : "a token")}");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            // A well-formed body, so that a refusal is the token's and not the input's.
            Content = JsonContent.Create(new JsonObject { ["crates"] = new JsonArray("xml-rs"), ["enabled"] = false, ["reason"] = "test", ["name"] = "x" }),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        return await http.SendAsync(request);
    }

    private async Task<string> FillAsync(string path)
    {
        await using var db = await fixture.CreateDbContextAsync();
        var version = await db.Versions.Where(v => v.Crate.Name == "xml-rs").Select(v => v.Version).FirstAsync();
        var job = await db.Jobs.OrderBy(j => j.Id).Select(j => j.Id).FirstAsync();
        var fingerprint = await db.Builders.OrderBy(b => b.Id).Select(b => b.Fingerprint).FirstAsync();
        return path.Replace("{version}", version, StringComparison.Ordinal).Replace("{job}", job.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{fingerprint}", fingerprint, StringComparison.Ordinal);
    }

    /// <summary>What a refused admin call must not change.</summary>
    private async Task<string> StateAsync()
    {
        await using var db = await fixture.CreateDbContextAsync();
        // Builds go on meanwhile: count only what an admin call would change.
        return $"{await db.Builders.CountAsync(b => b.Enabled)}/{await db.Builders.CountAsync()} builders, "
            + $"{await db.BuilderHosts.CountAsync(h => h.Enabled)}/{await db.BuilderHosts.CountAsync()} hosts, "
            + $"{await db.Jobs.CountAsync(j => j.State == JobState.Cancelled)} cancelled, "
            + $"metadata attempts {await db.Jobs.CountAsync(j => j.Kind == JobKind.Metadata && j.Version.Crate.Name == "xml-rs")}, "
            + $"locked {await db.QueueLocks.AnyAsync(l => l.Locked)}, "
            + $"targets {string.Join(",", await db.Targets.OrderBy(t => t.Triple).Select(t => t.Triple + t.Enabled).ToListAsync())}";
    }
}
