using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace BuildsRs.Tests.Fixtures;

public static class Refusals
{
    /// <summary>
    /// A refusal as every protected endpoint gives it: the status, problem details with a reason, and with 401 a Bearer
    /// challenge.
    /// </summary>
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        Assert.True(expected == response.StatusCode, $"{what}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((int)expected, (int?)problem["status"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }
    }
}
