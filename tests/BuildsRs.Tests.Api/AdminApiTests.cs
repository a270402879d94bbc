using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Builders;
using BuildsRs.Tests.ApiTests.Fixtures;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>The operator's API: only with the admin token, and each change visible where it matters.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class AdminApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task An_admin_enrolls_a_builder_key_for_the_host_it_names_and_nobody_else_can()
    {
        using var http = fixture.CreateClient();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new EnrollRequest("admin-enrolled", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), ["x86_64-unknown-linux-gnu"]);

        using var anonymous = await http.PostAsJsonAsync("/api/v1/admin/builders", request with { Host = "builder-2" }, BuilderJsonContext.Default.EnrollRequest);
        using var hostless = await SendAsync(http, HttpMethod.Post, "/api/v1/admin/builders", JsonContent.Create(request, BuilderJsonContext.Default.EnrollRequest));
        using var enrolled = await SendAsync(http, HttpMethod.Post, "/api/v1/admin/builders",
            JsonContent.Create(request with { Host = "builder-2" }, BuilderJsonContext.Default.EnrollRequest));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, hostless.StatusCode);
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        await using var db = await fixture.CreateDbContextAsync();
        Assert.Equal("builder-2", await db.Builders.Where(b => b.Name == "admin-enrolled").Select(b => b.Host.Name).SingleAsync());
    }

    [Fact]
    public async Task Targets_are_added_enabled_and_disabled_by_an_admin_and_listed_publicly()
    {
        using var http = fixture.CreateClient();
        const string triple = "riscv64gc-unknown-linux-gnu";

        using var added = await SendAsync(http, HttpMethod.Put, $"/api/v1/admin/targets/{triple}", JsonContent.Create(new TargetSetting(triple, false), ApiJsonContext.Default.TargetSetting));
        using var invalid = await SendAsync(http, HttpMethod.Put, "/api/v1/admin/targets/Not%20A%20Triple", JsonContent.Create(new TargetSetting("x", true), ApiJsonContext.Default.TargetSetting));
        using var anonymous = await http.PutAsJsonAsync($"/api/v1/admin/targets/{triple}", new TargetSetting(triple, true), ApiJsonContext.Default.TargetSetting);
        var targets = await http.GetFromJsonAsync("/api/v1/targets", ApiJsonContext.Default.IReadOnlyListTargetSetting);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(new TargetSetting(triple, false), targets!);
    }

    [Fact]
    public async Task A_locked_queue_shows_as_locked_and_unlocks()
    {
        using var http = fixture.CreateClient();
        try
        {
            using var locked = await SendAsync(http, HttpMethod.Post, "/api/v1/admin/queue/lock",
                JsonContent.Create(new QueueLockState(true, "maintenance"), ApiJsonContext.Default.QueueLockState));
            var whileLocked = await http.GetFromJsonAsync("/api/v1/queue", ApiJsonContext.Default.QueueView);

            Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
            Assert.True(whileLocked!.Locked);
        }
        finally
        {
            using var unlocked = await SendAsync(http, HttpMethod.Post, "/api/v1/admin/queue/unlock", null);
            Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        }
        Assert.False((await http.GetFromJsonAsync("/api/v1/queue", ApiJsonContext.Default.QueueView))!.Locked);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        return await http.SendAsync(request);
    }
}
