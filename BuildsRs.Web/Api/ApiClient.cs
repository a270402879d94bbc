using System.Net;
using System.Text.Json.Serialization.Metadata;
using BuildsRs.Contracts.Api;

namespace BuildsRs.Web.Api;

/// <summary>
/// The public API as the website reads it. A missing crate, version or job is <c>null</c>; an Api that cannot be
/// reached or fails is an <see cref="ApiUnavailableException"/>, which the error page explains.
/// </summary>
public sealed class ApiClient(HttpClient http, Visitor visitor)
{
    private readonly HttpClient http = visitor.Forwarding(http);
    private static readonly ApiJsonContext Json = ApiJsonContext.Default;

    public Task<Overview?> GetOverviewAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/v1/overview", Json.Overview, cancellationToken);

    public Task<Page<CrateSummary>?> SearchAsync(string query, int page, int perPage, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/crates?q={Uri.EscapeDataString(query)}&page={page}&per_page={perPage}", Json.PageCrateSummary, cancellationToken);

    public Task<CrateDetails?> GetCrateAsync(string crate, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/crates/{Uri.EscapeDataString(crate)}", Json.CrateDetails, cancellationToken);

    public Task<VersionDetails?> GetVersionAsync(string crate, string version, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/crates/{Uri.EscapeDataString(crate)}/{Uri.EscapeDataString(version)}", Json.VersionDetails, cancellationToken);

    public Task<JobDetails?> GetJobAsync(long jobId, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/jobs/{jobId}", Json.JobDetails, cancellationToken);

    public Task<QueueView?> GetQueueAsync(int page, int perPage, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/queue?page={page}&per_page={perPage}", Json.QueueView, cancellationToken);

    public Task<IReadOnlyList<FleetBuilder>?> GetBuildersAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/v1/builders", Json.IReadOnlyListFleetBuilder, cancellationToken);

    public Task<IReadOnlyList<TargetSetting>?> GetTargetsAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/v1/targets", Json.IReadOnlyListTargetSetting, cancellationToken);

    public Task<Statistics?> GetStatisticsAsync(int days, CancellationToken cancellationToken = default) =>
        GetAsync($"api/v1/statistics?days={days}", Json.Statistics, cancellationToken);

    public Task<SigningKeys?> GetSigningKeysAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/v1/signing-keys", Json.SigningKeys, cancellationToken);

    /// <summary>The job's stored log so far.</summary>
    public async Task<string?> GetLogAsync(long jobId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync($"api/v1/jobs/{jobId}/log", HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response is null ? null : await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        using var response = await SendAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response is null ? null : await response.Content.ReadFromJsonAsync(type, cancellationToken);
    }

    private Task<HttpResponseMessage?> SendAsync(string path, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), completion, cancellationToken);

    /// <summary>The response when it succeeded, <c>null</c> for a 404; anything else means the Api is not usable.</summary>
    private async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        // Timeouts and an open circuit come from the resilience handler as Polly's rejections.
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ApiUnavailableException($"the API did not answer {request.RequestUri}", ex);
        }
        // Gone: a version the registry's index no longer lists, which the site shows no more than one it never had.
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            response.Dispose();
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new ApiUnavailableException($"the API answered {request.RequestUri} with status {status}");
        }
        return response;
    }
}
